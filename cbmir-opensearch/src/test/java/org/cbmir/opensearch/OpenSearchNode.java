package org.cbmir.opensearch;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real OpenSearch 3.5 node with the k-NN plugin for the integration tests of a test JVM:
 * started on first use from the distribution Maven unpacked into {@code target/} (failsafe passes
 * {@code cbmir.opensearch.home} and {@code cbmir.opensearch.plugin}), on 127.0.0.1 and free ports,
 * with a 512 MB heap and security off, as {@code nobody} when the build runs as root (OpenSearch
 * refuses root); stopped by its PID when the JVM's tests end, whether they passed or not, and by a
 * shutdown hook should the JVM end otherwise.
 *
 * <pre>{@code
 * @ExtendWith(OpenSearchNode.class)
 * class SomeIT {
 *   OpenSearchTarget target = OpenSearchNode.target("some-index");
 * }
 * }</pre>
 *
 * <p>Thread-safety: the node is started once, under JUnit's store lock.
 */
public final class OpenSearchNode implements BeforeAllCallback {
  private static volatile Running running;

  /** The node's HTTP endpoint; the extension must have run. */
  public static URI endpoint() {
    Running r = running;
    if (r == null) {
      throw new IllegalStateException(
          "annotate the test class with @ExtendWith(OpenSearchNode.class)");
    }
    return r.endpoint;
  }

  /** A target on the node for an index of that name, one shard, no replicas. */
  public static OpenSearchTarget target(String indexName) {
    return OpenSearchTarget.builder().endpoint(endpoint()).indexName(indexName).replicas(0).build();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(OpenSearchNode.class, k -> start(), Running.class);
  }

  /** A started node; closing stops it. */
  private static final class Running implements ExtensionContext.Store.CloseableResource {
    final Process process;
    final URI endpoint;
    final Path console;
    final Thread hook;

    Running(Process process, URI endpoint, Path console) {
      this.process = process;
      this.endpoint = endpoint;
      this.console = console;
      this.hook = new Thread(this::stop, "opensearch-node-stop");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
      stop();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run: nothing to remove
      }
    }

    void stop() {
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
    }
  }

  private static Running start() {
    String homeProp = System.getProperty("cbmir.opensearch.home");
    String pluginProp = System.getProperty("cbmir.opensearch.plugin");
    if (homeProp == null || pluginProp == null || !Files.isDirectory(Path.of(homeProp))) {
      fail(
          "no OpenSearch distribution: run the integration tests through `mvn verify`, whose"
              + " pre-integration-test phase unpacks it (cbmir.opensearch.home="
              + homeProp
              + ")");
    }
    if (Runtime.version().feature() < 21) {
      fail("OpenSearch 3.5 needs Java 21 or later; the tests run on " + Runtime.version());
    }
    try {
      Path home = Path.of(homeProp).toAbsolutePath();
      String javaHome = System.getProperty("java.home");
      if (!Files.isDirectory(home.resolve("plugins/opensearch-knn"))) {
        run(
            home,
            javaHome,
            List.of(
                home.resolve("bin/opensearch-plugin").toString(),
                "install",
                "--batch",
                Path.of(pluginProp).toUri().toString()));
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
      pb.environment().put("OPENSEARCH_JAVA_OPTS", "-Xms512m -Xmx512m");
      pb.environment().put("OPENSEARCH_TMPDIR", work.resolve("tmp").toString());
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      pb.redirectErrorStream(true).redirectOutput(console.toFile());
      long t0 = System.nanoTime();
      Process p = pb.start();
      URI endpoint = URI.create("http://127.0.0.1:" + http);
      Running r = new Running(p, endpoint, console);
      waitForGreen(r);
      System.out.printf(
          Locale.ROOT,
          "OpenSearch node (pid %d) up on %s in %.1f s%n",
          p.pid(),
          endpoint,
          (System.nanoTime() - t0) / 1e9);
      running = r;
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("starting the OpenSearch node failed", e);
    }
  }

  /**
   * OpenSearch refuses to run as root: as root, the node's files go to {@code nobody} and the node
   * runs as {@code nobody} through {@code setpriv}.
   */
  private static List<String> asUnprivilegedUser(Path home, Path work) throws IOException {
    if (!"0".equals(output(List.of("id", "-u")))) {
      return List.of();
    }
    String group = output(List.of("id", "-gn", "nobody"));
    for (Path p : new Path[] {home, work}) {
      run(p, null, List.of("chown", "-R", "nobody:" + group, p.toString()));
    }
    return List.of("setpriv", "--reuid=nobody", "--regid=" + group, "--clear-groups", "--");
  }

  private static void waitForGreen(Running r) throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(
                r.endpoint.resolve("/_cluster/health?wait_for_status=green&timeout=2s"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!r.process.isAlive()) {
        r.close();
        fail("the OpenSearch node exited with " + r.process.exitValue() + ":\n" + tail(r.console));
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
        r.close();
        throw new IOException("interrupted while waiting for the node", e);
      }
      sleep(500);
    }
    r.close();
    fail("the OpenSearch node was not green within 180 s:\n" + tail(r.console));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
      fail(String.join(" ", cmd) + " failed:\n" + out);
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
