package org.cbmir.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.cbmir.api.CbmirException;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Encoder;
import org.cbmir.api.Hit;
import org.cbmir.api.IdentifierPolicy;
import org.cbmir.api.IngestOptions;
import org.cbmir.api.Models;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.SliceRef;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.VolumeReader;
import org.cbmir.data.DatasetExporter;
import org.cbmir.data.eval.Evaluation;
import org.cbmir.data.eval.EvaluationReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code cbmir} command line: {@code index}, {@code search}, {@code info}, {@code evaluate} and
 * {@code export-dataset}. Errors are one {@code error:} line on standard error, never a stack
 * trace. Exit codes: 0 done, 1 bad input or a failure, 2 a bad command line.
 *
 * <pre>
 * ./cbmir index ../shared/data/lidc-idri --out target/lidc.cbmir
 * ./cbmir search ../shared/data/lidc-idri/LIDC-IDRI-0003 --slice 60 --index target/lidc.cbmir
 * ./cbmir info target/lidc.cbmir
 * </pre>
 *
 * <p>Thread-safety: a command-line entry point, not meant to be called concurrently.
 */
@Command(
    name = "cbmir",
    mixinStandardHelpOptions = true,
    version = "cbmir 0.1.0",
    description =
        "Content-based retrieval of lung CT slices: index an archive, find the slices"
            + " most similar to a query.",
    subcommands = {
      Cli.Index.class,
      Cli.Search.class,
      Cli.Info.class,
      Cli.Evaluate.class,
      Cli.ExportDataset.class
    },
    footer = {
      "",
      "Exit codes: 0 done; 1 bad input or a failure (one 'error:' line on standard"
          + " error); 2 a bad command line."
    })
public final class Cli implements Callable<Integer> {
  /** Exit code of a command that failed on its input or environment. */
  static final int FAILED = 1;

  /** Exit code of a command line that could not be parsed (picocli's own). */
  static final int USAGE = 2;

  /** Entry point; arguments are used exactly as given (a path may hold spaces). */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command line and returns the exit code (for tests). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cl = new CommandLine(new Cli(out, err));
    // In each stream's own charset (the terminal's for System.out), not the JVM's default.
    cl.setOut(new PrintWriter(new OutputStreamWriter(out, out.charset()), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(err, err.charset()), true));
    cl.setParameterExceptionHandler(
        (e, args2) -> {
          String command = e.getCommandLine().getCommandName();
          err.println(
              "error: "
                  + e.getMessage()
                  + " (see: "
                  + (command.equals("cbmir") ? "cbmir" : "cbmir " + command)
                  + " --help)");
          return USAGE;
        });
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          err.println("error: " + describe(e));
          return FAILED;
        });
    return cl.execute(args);
  }

  /** One line that says what went wrong and with what, for any exception a command throws. */
  static String describe(Throwable e) {
    Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
    if (t instanceof FileSystemException f && f.getReason() == null) {
      String what =
          t instanceof NoSuchFileException
              ? "no such file or folder"
              : t instanceof AccessDeniedException
                  ? "permission denied"
                  : t instanceof FileAlreadyExistsException
                      ? "already exists"
                      : t instanceof NotDirectoryException
                          ? "not a folder"
                          : t.getClass().getSimpleName();
      return f.getFile() + ": " + what;
    }
    if (t.getMessage() == null || t.getMessage().isBlank()) {
      return t.getClass().getSimpleName();
    }
    return t.getMessage();
  }

  private final PrintStream out;
  private final PrintStream err;

  Cli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, out);
    return USAGE;
  }

  /** Options shared by the commands that read identifiers. */
  static final class KeyOption {
    @Option(
        names = "--pseudonymise-key",
        paramLabel = "FILE",
        description =
            "replace patient"
                + " IDs and UIDs by HMAC-SHA-256 pseudonyms keyed by the bytes of FILE (at least 16; make"
                + " one with: head -c 32 /dev/urandom > cbmir.key)")
    Path keyFile;

    IdentifierPolicy policy() throws IOException {
      if (keyFile == null) {
        return IdentifierPolicy.keepAsIs();
      }
      if (!Files.isRegularFile(keyFile)) {
        throw new NoSuchFileException(keyFile.toString(), null, "no key file there");
      }
      return IdentifierPolicy.pseudonymise(Files.readAllBytes(keyFile));
    }
  }

  /** The {@code --data} option of evaluate and export-dataset. */
  static final class DataOption {
    @Option(
        names = "--data",
        defaultValue = "../shared/data",
        paramLabel = "FOLDER",
        description = "LIDC-IDRI or LUNA16 data folder (default ../shared/data)")
    Path data;

    /** The folder, checked to exist before any work. */
    Path folder() throws IOException {
      if (!Files.isDirectory(data)) {
        throw new NoSuchFileException(data.toAbsolutePath().toString(), null, "no data folder");
      }
      return data;
    }
  }

  @Command(
      name = "index",
      mixinStandardHelpOptions = true,
      description =
          "Index every CT series"
              + " under a folder (DICOM or MetaImage); slices get nodule classes where LIDC XML or LUNA16"
              + " annotations lie beside them. The index file is written atomically at the end.")
  static final class Index implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(index = "0", paramLabel = "FOLDER", description = "folder to index")
    Path folder;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "index file to" + " write (parent folders are created)")
    Path out;

    @Option(
        names = "--append",
        description =
            "add to the index already in --out instead of"
                + " replacing it; series it holds are skipped (see --replace-series)")
    boolean append;

    @Option(
        names = "--replace-series",
        description =
            "series already in the index replace" + " their slices instead of being skipped")
    boolean replace;

    @Option(
        names = {"-q", "--quiet"},
        description = "no progress, only the result")
    boolean quiet;

    @CommandLine.Mixin KeyOption key = new KeyOption();

    @Override
    public Integer call() throws IOException {
      if (!Files.isDirectory(folder)) {
        throw new NotDirectoryException(folder.toString());
      }
      if (append && !Files.isRegularFile(out)) {
        throw new NoSuchFileException(out.toString(), null, "--append needs an existing index");
      }
      // Before the work, not after it: a missing output folder must not cost a whole indexing.
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      ConsoleProgress progress = ConsoleProgress.on(cli.err, quiet);
      SimilarCaseSearch.Builder b = SimilarCaseSearch.builder().identifiers(key.policy());
      try (SimilarCaseSearch cbmir = append ? b.open(out) : b.create()) {
        IngestOptions.Builder options = IngestOptions.builder().listener(progress);
        if (replace) {
          options.replaceIndexedSeries();
        }
        SimilarCaseSearch.IngestReport r = cbmir.ingest(folder, options.build());
        cbmir.save(out, progress);
        cli.out.printf(
            Locale.ROOT,
            "indexed %d slices of %d series into %s (%d slices in all)%s%n",
            r.slices(),
            r.volumes(),
            out,
            cbmir.index().size(),
            (r.skippedDuplicates() > 0
                    ? "; " + r.skippedDuplicates() + " series were already indexed and skipped"
                    : "")
                + (r.replaced() > 0 ? "; " + r.replaced() + " series replaced" : "")
                + (r.skippedFiles() > 0 ? "; " + r.skippedFiles() + " files skipped (above)" : ""));
      }
      return 0;
    }
  }

  @Command(
      name = "search",
      mixinStandardHelpOptions = true,
      description =
          "The slices most"
              + " similar to one query slice: a DICOM file, or a series folder (or MetaImage file) with"
              + " --slice or --z.")
  static final class Search implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(
        index = "0",
        paramLabel = "QUERY",
        description = "DICOM file, series folder or" + " .mhd file")
    Path query;

    @Option(
        names = "--index",
        required = true,
        paramLabel = "FILE",
        description = "index file" + " (from 'index')")
    Path indexFile;

    @Option(
        names = "--slice",
        paramLabel = "N",
        description = "slice number in the series" + " (0 = lowest z)")
    Integer slice;

    @Option(names = "--z", paramLabel = "MM", description = "slice nearest this z position")
    Double zMm;

    @Option(
        names = {"-k", "--top"},
        defaultValue = "10",
        description = "hits (default 10)")
    int k;

    @Option(names = "--other-patients", description = "leave out the query's own patient")
    boolean otherPatients;

    @Option(names = "--html", paramLabel = "FILE", description = "write a result gallery page")
    Path html;

    @Option(
        names = "--archive",
        paramLabel = "FOLDER",
        description =
            "folder the index was" + " built from, for the gallery's images and nodule marks")
    Path archive;

    @CommandLine.Mixin KeyOption key = new KeyOption();

    @Override
    public Integer call() throws IOException {
      if (k < 1) {
        throw new IllegalArgumentException("-k must be >= 1, got " + k);
      }
      if (slice != null && zMm != null) {
        throw new IllegalArgumentException("give --slice or --z, not both");
      }
      IdentifierPolicy policy = key.policy();
      // Mapped: a search reads a few hundred rows, so large indexes open in a fraction of a second.
      try (SimilarCaseSearch cbmir =
          SimilarCaseSearch.builder().identifiers(policy).memoryMapped().open(indexFile)) {
        Query q = Query.read(query, slice, zMm);
        CtSlice s = q.slice();
        SearchRequest.Builder request = SearchRequest.builder().k(k);
        if (otherPatients) {
          request.excludePatients(Set.of(policy.patientId(q.volume().patientId())));
        }
        if (k > cbmir.index().size()) {
          cli.err.printf(
              Locale.ROOT,
              "note: -k %d is larger than the index (%d slices)%n",
              k,
              cbmir.index().size());
        }
        List<Hit> hits = cbmir.search(s, request.build()).hits();
        SliceRef r = s.ref().orElseThrow();
        cli.out.printf(
            Locale.ROOT,
            "query %s slice %d, z %.1f mm, %s%n",
            r.patientId(),
            r.sliceIndex(),
            r.zMm(),
            r.noduleInWords());
        cli.out.println(
            "Hamming: bits of the hash code that differ (coarse stage, "
                + cbmir.index().bits()
                + " bits); FC1: Euclidean distance of the "
                + cbmir.index().featureDimension()
                + " features that rank the hits (fine stage)");
        cli.out.printf(
            Locale.ROOT,
            "%-4s %-22s %-5s %-8s %-7s %-6s %s%n",
            "rank",
            "patient",
            "slice",
            "z (mm)",
            "Hamming",
            "FC1",
            "class");
        for (Hit h : hits) {
          cli.out.printf(
              Locale.ROOT,
              "%-4d %-22s %-5d %-8.1f %-7d %-6.3f %s%n",
              h.rank(),
              h.ref().patientId(),
              h.ref().sliceIndex(),
              h.ref().zMm(),
              h.hammingDistance(),
              h.featureDistance(),
              h.ref().noduleInWords());
        }
        if (html != null) {
          List<DatasetExporter.Source> sources =
              archive == null
                  ? List.of()
                  : DatasetExporter.discover(archive, VolumeReader.ReadListener.NONE);
          Gallery.write(
              html,
              Gallery.Shown.query(q.source(), q.index()),
              Gallery.Shown.hits(hits, sources, policy));
          cli.out.println("wrote " + html);
        }
      }
      return 0;
    }
  }

  /** The query slice picked from a file or folder. Immutable. */
  record Query(DatasetExporter.Source source, int index) {
    CtVolume volume() {
      return source.volume();
    }

    CtSlice slice() {
      return source.volume().slice(index);
    }

    /**
     * Reads the query: a single DICOM file is looked up in its series (its folder) so that the
     * slice keeps its real number, position and label.
     */
    static Query read(Path path, Integer slice, Double zMm) throws IOException {
      if (!Files.exists(path)) {
        throw new NoSuchFileException(path.toString(), null, "no query image there");
      }
      List<String> why = new ArrayList<>();
      VolumeReader.ReadListener collect =
          new VolumeReader.ReadListener() {
            @Override
            public void skipped(Path file, CbmirException reason) {
              why.add(reason.getMessage());
            }
          };
      List<DatasetExporter.Source> found = DatasetExporter.discover(path, collect);
      if (found.isEmpty()) {
        throw new UnreadableInputException(
            path, why.isEmpty() ? "not a readable CT image" : why.get(0));
      }
      if (found.size() > 1) {
        throw new UnreadableInputException(
            path, "holds " + found.size() + " series; give one" + " series folder or file");
      }
      DatasetExporter.Source one = found.get(0);
      if (Files.isRegularFile(path) && one.volume().depth() == 1 && path.getParent() != null) {
        double z = one.volume().zMm(0);
        for (DatasetExporter.Source s :
            DatasetExporter.discover(path.getParent(), VolumeReader.ReadListener.NONE)) {
          if (s.volume().seriesUid().equals(one.volume().seriesUid())) {
            return new Query(s, nearest(s.volume(), z, path));
          }
        }
      }
      CtVolume v = one.volume();
      if (slice != null) {
        if (slice < 0 || slice >= v.depth()) {
          throw new IllegalArgumentException(
              "--slice must be in 0.." + (v.depth() - 1) + " for " + path + ", got " + slice);
        }
        return new Query(one, slice);
      }
      if (zMm != null) {
        return new Query(one, nearest(v, zMm, path));
      }
      if (v.depth() == 1) {
        return new Query(one, 0);
      }
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%s is a series of %d" + " slices: choose one with --slice 0..%d or --z %.1f..%.1f",
              path,
              v.depth(),
              v.depth() - 1,
              v.zMm(0),
              v.zMm(v.depth() - 1)));
    }

    private static int nearest(CtVolume v, double z, Path path) {
      int best = 0;
      for (int k = 1; k < v.depth(); k++) {
        if (Math.abs(v.zMm(k) - z) < Math.abs(v.zMm(best) - z)) {
          best = k;
        }
      }
      double step = v.depth() > 1 ? v.zMm(1) - v.zMm(0) : 1;
      if (Math.abs(v.zMm(best) - z) > step) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "--z %.1f lies outside" + " %s (z %.1f..%.1f mm)",
                z,
                path,
                v.zMm(0),
                v.zMm(v.depth() - 1)));
      }
      return best;
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description =
          "What an index holds:"
              + " slices, patients, series, classes, model, code length, when it was saved.")
  static final class Info implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(index = "0", paramLabel = "FILE", description = "index file")
    Path file;

    @Override
    public Integer call() throws IOException {
      try (RetrievalIndex index = RetrievalIndexes.openAnyModel(file)) {
        Set<String> patients = new HashSet<>();
        Set<String> series = new HashSet<>();
        Map<NoduleClass, Integer> classes = new EnumMap<>(NoduleClass.class);
        for (int ord = 0; ord < index.ordinalCount(); ord++) {
          if (!index.isRemoved(ord)) {
            SliceRef r = index.ref(ord);
            patients.add(r.patientId());
            series.add(r.seriesUid());
            classes.merge(r.noduleClass(), 1, Integer::sum);
          }
        }
        String shipped;
        try (Encoder e = Models.encoder()) {
          shipped =
              e.modelFingerprint().equals(index.modelFingerprint())
                  ? " (the shipped encoder)"
                  : " (not the shipped encoder: re-index to search it)";
        } catch (RuntimeException e) {
          shipped = "";
        }
        PrintStream o = cli.out;
        o.println("file:     " + file.toAbsolutePath() + " (" + Files.size(file) + " bytes)");
        o.println(
            "saved:    "
                + DateTimeFormatter.ISO_INSTANT.format(
                    Instant.ofEpochMilli(Files.getLastModifiedTime(file).toMillis())
                        .atOffset(ZoneOffset.UTC)));
        o.printf(
            Locale.ROOT,
            "slices:   %d (%d removed)%n",
            index.size(),
            index.ordinalCount() - index.size());
        o.println("patients: " + patients.size());
        o.println("series:   " + series.size());
        o.println("model:    " + index.modelFingerprint() + shipped);
        o.println("codes:    " + index.bits() + " bits; features: " + index.featureDimension());
        o.println("classes:");
        for (Map.Entry<NoduleClass, Integer> c : classes.entrySet()) {
          o.printf(Locale.ROOT, "  %-10s %d%n", c.getKey().description(), c.getValue());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "evaluate",
      mixinStandardHelpOptions = true,
      description =
          "The paper's"
              + " evaluation on patients the models never saw: writes summary.json, pr.png and"
              + " gallery.png.")
  static final class Evaluate implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @CommandLine.Mixin DataOption data = new DataOption();

    @Option(
        names = "--out",
        defaultValue = "target/eval",
        paramLabel = "FOLDER",
        description = "output folder (default target/eval)")
    Path out;

    @Override
    public Integer call() throws IOException {
      Path folder = data.folder();
      Path dataset = out.resolve("dataset");
      DatasetExporter.builder()
          .build()
          .exportFolder(folder, dataset, ConsoleProgress.on(cli.err, false).reading());
      try (Encoder enc = Models.encoder()) {
        Evaluation.Summary s = Evaluation.run(dataset, enc, out);
        cli.out.print(EvaluationReport.text(s));
        cli.out.println(
            "wrote "
                + out.resolve("summary.json")
                + ", "
                + out.resolve("pr.png")
                + " and "
                + out.resolve("gallery.png"));
      }
      return 0;
    }
  }

  @Command(
      name = "export-dataset",
      mixinStandardHelpOptions = true,
      description =
          "Export the"
              + " training and test records (model inputs, labels, provenance) that training/train.py"
              + " reads, split by patient.")
  static final class ExportDataset implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @CommandLine.Mixin DataOption data = new DataOption();

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FOLDER",
        description = "output" + " folder")
    Path out;

    @Option(
        names = "--inserted-per-class",
        defaultValue = "0",
        paramLabel = "N",
        description =
            "synthetic spheres inserted per class and series (default 0: real" + " nodules only)")
    int inserted;

    @Override
    public Integer call() throws IOException {
      Path folder = data.folder();
      DatasetExporter.Summary s =
          DatasetExporter.builder()
              .insertedPerClass(inserted)
              .build()
              .exportFolder(folder, out, ConsoleProgress.on(cli.err, false).reading());
      cli.out.println("records per split: " + s.recordsPerSplit() + "; written to " + out);
      return 0;
    }
  }
}
