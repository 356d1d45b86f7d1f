/**
 * The in-process retrieval index, reached through {@code org.cbmir.api.RetrievalIndexes}. Its
 * kernels are exported only to the benchmarks, which measure them one by one; the Vector API is
 * read where the JVM has it ({@code --add-modules jdk.incubator.vector}).
 */
@SuppressWarnings("module") // org.cbmir.benchmarks is built after this module
module org.cbmir.index {
  requires transitive org.cbmir.api;
  requires org.slf4j;
  requires roaringbitmap;
  requires static jdk.incubator.vector;
  // KernelGuards reads HotSpot's UseFMA flag where jdk.management is there (it is on HotSpot).
  requires java.management;
  requires static jdk.management;

  exports org.cbmir.index;
  exports org.cbmir.index.kernels to
      org.cbmir.benchmarks;

  provides org.cbmir.api.RetrievalIndexProvider with
      org.cbmir.index.HammingIndexProvider;
}
