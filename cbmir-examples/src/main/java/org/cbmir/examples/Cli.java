package org.cbmir.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cbmir.api.CbmirException;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Encoder;
import org.cbmir.api.Hit;
import org.cbmir.api.Models;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.Segmenter;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.VolumeReader;
import org.cbmir.data.DatasetExporter;
import org.cbmir.data.eval.Evaluation;
import org.cbmir.data.eval.EvaluationReport;
import org.cbmir.data.DicomSeriesReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line: {@code index}, {@code search} and {@code evaluate}. Errors are one line on
 * standard error and a non-zero exit code, never a stack trace.
 *
 * <pre>
 * mvn -B -q -Pcli package -DskipTests -Dcli.args="index ../shared/data/lidc-idri --out lidc.cbmir"
 * mvn -B -q -Pcli package -DskipTests -Dcli.args="search query.dcm --index lidc.cbmir --html top10.html --archive ../shared/data/lidc-idri"
 * mvn -B -q -Pcli package -DskipTests -Dcli.args="evaluate --data ../shared/data"
 * </pre>
 *
 * <p>Thread-safety: a command-line entry point, not meant to be called concurrently.
 */
@Command(name = "cbmir", mixinStandardHelpOptions = true, version = "cbmir 0.1.0",
    description = "Content-based retrieval of lung CT slices.",
    subcommands = {Cli.Index.class, Cli.Search.class, Cli.Evaluate.class})
public final class Cli implements Callable<Integer> {

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) {
    List<String> a = new ArrayList<>();
    for (String s : args) {
      for (String t : s.trim().split("\\s+")) {
        if (!t.isEmpty()) {
          a.add(t);
        }
      }
    }
    System.exit(run(a.toArray(String[]::new), System.out, System.err));
  }

  /** Runs a command line and returns the exit code (for tests). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Cli());
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
      err.println("error: " + (t.getMessage() == null ? t.toString() : t.getMessage()));
      return 1;
    });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  /** Prints progress on one line of standard error. */
  static VolumeReader.ReadListener progress(String what) {
    return new VolumeReader.ReadListener() {
      @Override
      public void progress(int done, int total) {
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        System.err.printf("\r%s [%s%s] %d/%d", what, "#".repeat(filled),
            " ".repeat(width - filled), done, total);
        if (done == total) {
          System.err.println();
        }
      }

      @Override
      public void skipped(Path file, CbmirException reason) {
        System.err.println("\nskipped: " + reason.getMessage());
      }
    };
  }

  @Command(name = "index", description = "Index every CT series under a folder (DICOM or"
      + " MetaImage); slices get nodule classes where LIDC XML or LUNA16 annotations exist.")
  static final class Index implements Callable<Integer> {
    @Parameters(index = "0", description = "folder to index")
    Path folder;

    @Option(names = "--out", required = true, description = "index file to write")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (!Files.isDirectory(folder)) {
        throw new IOException("not a folder: " + folder);
      }
      // Before the work, not after it: a missing output folder must not cost a whole indexing.
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      List<DatasetExporter.Source> sources = DatasetExporter.discover(folder,
          progress("reading"));
      if (sources.isEmpty()) {
        throw new IOException("no CT series found under " + folder);
      }
      try (Segmenter seg = Models.segmenter(); Encoder enc = Models.encoder();
           RetrievalIndex index = LabelledIndex.build(sources, seg, enc, progress("indexing"))) {
        index.save(out);
        System.out.printf("indexed %d slices of %d series into %s%n", index.size(),
            sources.size(), out);
      }
      return 0;
    }
  }

  @Command(name = "search", description = "The slices most similar to one DICOM image.")
  static final class Search implements Callable<Integer> {
    @Parameters(index = "0", description = "query DICOM file")
    Path query;

    @Option(names = "--index", required = true, description = "index file (from 'index')")
    Path indexFile;

    @Option(names = {"-k", "--top"}, defaultValue = "10", description = "hits (default 10)")
    int k;

    @Option(names = "--html", description = "write a result gallery page here")
    Path html;

    @Option(names = "--archive", description = "folder the index was built from, for the"
        + " gallery's images")
    Path archive;

    @Override
    public Integer call() throws IOException {
      if (k < 1) {
        throw new IllegalArgumentException("-k must be >= 1, got " + k);
      }
      try (SimilarCaseSearch cbmir = SimilarCaseSearch.open(indexFile)) {
        List<CtVolume> q = new DicomSeriesReader().read(query, new VolumeReader.ReadListener() {
          @Override
          public void skipped(Path file, CbmirException reason) {
            throw new UncheckedIOException(reason);
          }
        });
        if (q.isEmpty()) {
          throw new IOException(query + ": not a readable CT image");
        }
        CtSlice slice = q.get(0).slice(0);
        if (k > cbmir.index().size()) {
          System.err.printf("note: -k %d is larger than the index (%d slices)%n", k,
              cbmir.index().size());
        }
        List<Hit> hits = cbmir.search(slice, SearchRequest.builder().k(k).build()).hits();
        System.out.printf("%-4s %-16s %-6s %-8s %-8s %-9s %s%n", "rank", "patient", "slice",
            "Hamming", "FC1", "class", "z (mm)");
        for (Hit h : hits) {
          System.out.printf(Locale.ROOT, "%-4d %-16s %-6d %-8d %-8.3f %-9s %.1f%n", h.rank(),
              h.ref().patientId(), h.ref().sliceIndex(), h.hammingDistance(),
              h.featureDistance(), h.ref().noduleClass().description(),
              h.ref().zMm());
        }
        if (html != null) {
          Gallery.write(html, slice, null, shown(hits));
          System.out.println("wrote " + html);
        }
      }
      return 0;
    }

    private List<Gallery.Shown> shown(List<Hit> hits) throws IOException {
      List<CtVolume> volumes = archive == null ? List.of()
          : DatasetExporter.discover(archive, VolumeReader.ReadListener.NONE).stream()
              .map(DatasetExporter.Source::volume).toList();
      List<Gallery.Shown> out = new ArrayList<>();
      for (Hit h : hits) {
        CtSlice px = volumes.stream().filter(v -> v.seriesUid().equals(h.ref().seriesUid()))
            .filter(v -> h.ref().sliceIndex() < v.depth()).findFirst()
            .map(v -> v.slice(h.ref().sliceIndex())).orElse(null);
        out.add(new Gallery.Shown(h, px));
      }
      return out;
    }
  }

  @Command(name = "evaluate", description = "The paper's evaluation on held-out patients:"
      + " writes summary.json and pr.png.")
  static final class Evaluate implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "../shared/data", description = "LIDC-IDRI or"
        + " LUNA16 folder (default ../shared/data)")
    Path data;

    @Option(names = "--out", defaultValue = "cbmir-examples/target/eval",
        description = "output folder (default cbmir-examples/target/eval)")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (!Files.isDirectory(data)) {
        throw new IOException("no data folder at " + data.toAbsolutePath());
      }
      Path dataset = out.resolve("dataset");
      DatasetExporter.builder().build().exportFolder(data, dataset, progress("reading"));
      try (Encoder enc = Models.encoder()) {
        Evaluation.Summary s = Evaluation.run(dataset, enc, out);
        System.out.print(EvaluationReport.text(s));
        System.out.println("wrote " + out.resolve("summary.json") + " and "
            + out.resolve("pr.png"));
      }
      return 0;
    }
  }
}
