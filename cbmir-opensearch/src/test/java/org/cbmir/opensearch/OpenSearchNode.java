package org.cbmir.opensearch;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real OpenSearch 3.5 node with the k-NN plugin for the integration tests of a test JVM,
 * started by {@link NodeLauncher} on first use from the distribution Maven unpacked into {@code
 * target/} (failsafe passes {@code cbmir.opensearch.home} and {@code cbmir.opensearch.plugin}),
 * with a 512 MB heap; stopped by its PID when the JVM's tests end, whether they passed or not.
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
  private static volatile NodeLauncher running;

  /** The node's HTTP endpoint; the extension must have run. */
  public static URI endpoint() {
    NodeLauncher r = running;
    if (r == null) {
      throw new IllegalStateException(
          "annotate the test class with @ExtendWith(OpenSearchNode.class)");
    }
    return r.endpoint();
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
        .getOrComputeIfAbsent(OpenSearchNode.class, k -> start(), Stopper.class);
  }

  /** Closing the JUnit store stops the node. */
  private record Stopper(NodeLauncher node) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      node.close();
    }
  }

  private static Stopper start() {
    String home = System.getProperty("cbmir.opensearch.home");
    String plugin = System.getProperty("cbmir.opensearch.plugin");
    if (home == null || plugin == null) {
      fail(
          "no OpenSearch distribution: run the integration tests through `mvn verify`, whose"
              + " pre-integration-test phase unpacks it");
    }
    try {
      NodeLauncher node = NodeLauncher.start(Path.of(home), Path.of(plugin), "512m");
      running = node;
      return new Stopper(node);
    } catch (IOException e) {
      throw new UncheckedIOException("starting the OpenSearch node failed", e);
    }
  }
}
