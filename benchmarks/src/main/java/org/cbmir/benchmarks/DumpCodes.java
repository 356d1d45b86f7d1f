package org.cbmir.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the codes and queries of {@link HammingTopBenchmark} as little-endian 64-bit words, for
 * FAISS to search the very same data ({@code benchmarks/faiss_peer.py}, run by {@code run.sh}).
 *
 * <pre>
 * java -cp benchmarks.jar org.cbmir.benchmarks.DumpCodes 10000000 64 codes.u64 queries.u64
 * </pre>
 *
 * <p>Thread-safety: a command-line tool, not meant to be called concurrently.
 */
public final class DumpCodes {
  private DumpCodes() {}

  /** Arguments: slices, bits, codes file, queries file. */
  public static void main(String[] args) throws IOException {
    int n = Integer.parseInt(args[0]);
    int words = Integer.parseInt(args[1]) / 64;
    write(Path.of(args[2]), Fixtures.uniformCodes(n, words, 11));
    write(Path.of(args[3]), Fixtures.uniformCodes(64, words, 13));
  }

  private static void write(Path f, long[] words) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 * words.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(words);
    Files.write(f, b.array());
  }
}
