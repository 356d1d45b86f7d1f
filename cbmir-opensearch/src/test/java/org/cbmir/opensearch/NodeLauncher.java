package org.cbmir.opensearch;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts and stops a single-node OpenSearch from an unpacked distribution, for the integration
 * tests ({@link OpenSearchNode}) and the benchmarks: installs the k-NN plugin zip if needed, binds
 * 127.0.0.1 on free ports, security off (the integ-test distribution has no security plugin), runs
 * as {@code nobody} through {@code setpriv} when started as root (OpenSearch refuses root), waits
 * for green, and stops the node by its PID on {@link #close()} or, failing that, from a shutdown
 * hook.
 *
 * <pre>{@code
 * try (NodeLauncher node = NodeLauncher.start(home, pluginZip, "512m")) {
 *   URI endpoint = node.endpoint();
 * }
 * }</pre>
 *
 * <p>Thread-safety: {@link #close()} may be called from any thread, also twice.
 */
public final class NodeLauncher implements AutoCloseable {
  private final Process process;
  private final URI endpoint;
  private final Path console;
  private final Thread hook;
  private final Path scratch;

  private NodeLauncher(Process process, URI endpoint, Path console, Path scratch) {
    this.process = process;
    this.endpoint = endpoint;
    this.console = console;
    this.scratch = scratch;
    this.hook = new Thread(this::stop, "opensearch-node-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The node's HTTP endpoint. */
  public URI endpoint() {
    return endpoint;
  }

  /** The node's process id. */
  public long pid() {
    return process.pid();
  }

  /** Stops the node (SIGTERM, then SIGKILL after 30 s) and waits for it. */
  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: nothing to remove
    }
  }

  private synchronized void stop() {
    if (!process.isAlive()) {
      return;
    }
    long pid = process.pid();
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    System.out.printf(
        Locale.ROOT, "OpenSearch node (pid %d) stopped, alive: %s%n", pid, process.isAlive());
    if (scratch != null && !process.isAlive()) {
      try {
        deleteTree(scratch);
      } catch (IOException e) {
        System.out.println("could not delete the node's copy at " + scratch + ": " + e);
      }
    }
  }

  /**
   * Starts a node from the distribution at {@code home} with the k-NN plugin zip, a heap of {@code
   * heap} (JVM syntax, {@code 512m}), on the Java running this code (21 or later).
   *
   * @throws IllegalStateException if it does not come up green within 180 s (with the end of its
   *     log)
   */
  public static NodeLauncher start(Path home, Path pluginZip, String heap) throws IOException {
    if (!Files.isDirectory(home)) {
      throw new IllegalStateException(
          "no OpenSearch distribution at "
              + home
              + ": `mvn verify` unpacks it in cbmir-opensearch's pre-integration-test phase");
    }
    if (Runtime.version().feature() < 21) {
      throw new IllegalStateException(
          "OpenSearch 3.5 needs Java 21 or later; this is " + Runtime.version());
    }
    home = home.toAbsolutePath();
    String javaHome = System.getProperty("java.home");
    if (!Files.isDirectory(home.resolve("plugins/opensearch-knn"))) {
      run(
          home,
          javaHome,
          List.of(
              home.resolve("bin/opensearch-plugin").toString(),
              "install",
              "--batch",
              pluginZip.toAbsolutePath().toUri().toString()));
    }
    Path scratch = null;
    if (isRoot() && !reachableByNobody(home)) {
      // A checkout under a private directory (/root, say): nobody cannot reach it, so the node
      // runs from a copy in the temporary directory, deleted when it stops.
      scratch = Files.createTempDirectory("cbmir-opensearch-");
      Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxr-xr-x"));
      copyTree(home, scratch.resolve(home.getFileName()));
      home = scratch.resolve(home.getFileName());
    }
    Path work = home.resolveSibling("opensearch-node");
    deleteTree(work);
    for (String d : new String[] {"data", "logs", "tmp"}) {
      Files.createDirectories(work.resolve(d));
    }
    int http = freePort();
    int transport = freePort();
    List<String> cmd = new ArrayList<>(asUnprivilegedUser(home, work));
    cmd.addAll(
        List.of(
            home.resolve("bin/opensearch").toString(),
            "-Ediscovery.type=single-node",
            "-Enetwork.host=127.0.0.1",
            "-Ehttp.port=" + http,
            "-Etransport.port=" + transport,
            "-Ecluster.name=cbmir-it",
            "-Enode.name=cbmir-it",
            "-Epath.data=" + work.resolve("data"),
            "-Epath.logs=" + work.resolve("logs"),
            // A full disk on a build machine must not turn the test indexes read-only.
            "-Ecluster.routing.allocation.disk.threshold_enabled=false"));
    Path console = work.resolve("console.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
    pb.environment().put("OPENSEARCH_JAVA_HOME", javaHome);
    pb.environment().put("OPENSEARCH_JAVA_OPTS", "-Xms" + heap + " -Xmx" + heap);
    pb.environment().put("OPENSEARCH_TMPDIR", work.resolve("tmp").toString());
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.redirectErrorStream(true).redirectOutput(console.toFile());
    long t0 = System.nanoTime();
    NodeLauncher node =
        new NodeLauncher(pb.start(), URI.create("http://127.0.0.1:" + http), console, scratch);
    try {
      node.waitForGreen();
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    System.out.printf(
        Locale.ROOT,
        "OpenSearch node (pid %d) up on %s in %.1f s%n",
        node.pid(),
        node.endpoint,
        (System.nanoTime() - t0) / 1e9);
    return node;
  }

  /**
   * OpenSearch refuses to run as root: as root, the node's files go to {@code nobody} and the node
   * runs as {@code nobody} through {@code setpriv}.
   */
  private static List<String> asUnprivilegedUser(Path home, Path work) throws IOException {
    if (!isRoot()) {
      return List.of();
    }
    String group = output(List.of("id", "-gn", "nobody"));
    for (Path p : new Path[] {home, work}) {
      run(p, null, List.of("chown", "-R", "nobody:" + group, p.toString()));
    }
    return List.of("setpriv", "--reuid=nobody", "--regid=" + group, "--clear-groups", "--");
  }

  private static boolean isRoot() throws IOException {
    return "0".equals(output(List.of("id", "-u")));
  }

  /** Whether {@code nobody} can reach the directory (every parent searchable). */
  private static boolean reachableByNobody(Path dir) throws IOException {
    Process p =
        new ProcessBuilder(
                "setpriv", "--reuid=nobody", "--clear-groups", "--", "test", "-x", dir.toString())
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    return waitFor(p, List.of("setpriv", "test", "-x", dir.toString())) == 0;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private void waitForGreen() throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(
                endpoint.resolve("/_cluster/health?wait_for_status=green&timeout=2s"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the OpenSearch node exited with " + process.exitValue() + ":\n" + tail(console));
      }
      try {
        HttpResponse<String> resp = client.send(health, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() == 200 && resp.body().contains("\"green\"")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the node", e);
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the node", e);
      }
    }
    throw new IllegalStateException(
        "the OpenSearch node was not green within 180 s:\n" + tail(console));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String output(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    waitFor(p, cmd);
    return out;
  }

  private static void run(Path dir, String javaHome, List<String> cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    if (javaHome != null) {
      pb.environment().put("OPENSEARCH_JAVA_HOME", javaHome);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (waitFor(p, cmd) != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }
  }

  private static int waitFor(Process p, List<String> cmd) throws IOException {
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted: " + cmd, e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
