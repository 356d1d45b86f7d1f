package org.cbmir.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.cbmir.api.CbmirException;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Embedding;
import org.cbmir.api.IdentifierPolicy;
import org.cbmir.api.SliceRef;
import org.cbmir.api.VolumeReader.ReadListener;
import org.cbmir.data.ArchiveUnits;

/**
 * What a task does with one unit of the archive: reads it with cbmir's readers, segments and
 * encodes every volume whole (as {@code SimilarCaseSearch.ingest} does, in the same batches), and
 * returns a row a slice, or a row an error. A volume the models reject leaves no slice behind;
 * nothing thrown here fails the job.
 *
 * <p>Thread-safety: immutable; Spark calls it from many tasks at once.
 */
final class EncodeUnit implements FlatMapFunction<EncodeUnit.Task, Row> {
  private static final long serialVersionUID = 1L;

  /** Slices segmented and encoded per model call: SimilarCaseSearch's batch. */
  static final int BATCH = 8;

  /** One unit as it travels to a task: {@link ArchiveUnits.Unit} with strings for paths. */
  record Task(String path, String kind, List<String> annotationFiles) implements Serializable {
    private static final long serialVersionUID = 1L;

    static Task of(ArchiveUnits.Unit u) {
      return new Task(
          u.path().toString(),
          u.kind().name(),
          u.annotationFiles().stream().map(Path::toString).toList());
    }

    ArchiveUnits.Unit unit() {
      return new ArchiveUnits.Unit(
          Path.of(path),
          ArchiveUnits.Kind.valueOf(kind),
          annotationFiles.stream().map(Path::of).toList());
    }
  }

  /** The slice columns without the ordinal, then the error's path and reason (null for slices). */
  static StructType encodedSchema() {
    List<StructField> f = new ArrayList<>();
    for (StructField s : ArchiveSchema.slices(Metadata.empty()).fields()) {
      if (!s.name().equals(ArchiveSchema.ORDINAL)) {
        f.add(DataTypes.createStructField(s.name(), s.dataType(), true));
      }
    }
    f.add(DataTypes.createStructField(ArchiveSchema.ERROR_PATH, DataTypes.StringType, true));
    f.add(DataTypes.createStructField(ArchiveSchema.ERROR_REASON, DataTypes.StringType, true));
    return new StructType(f.toArray(StructField[]::new));
  }

  private final ExecutorModels.Spec models;

  /** The pseudonymisation key, or null to keep identifiers as read. */
  private final byte[] pseudonymKey;

  EncodeUnit(ExecutorModels.Spec models, byte[] pseudonymKey) {
    this.models = models;
    this.pseudonymKey = pseudonymKey;
  }

  @Override
  public Iterator<Row> call(Task task) {
    List<Row> out = new ArrayList<>();
    ReadListener listener =
        new ReadListener() {
          @Override
          public void skipped(Path file, CbmirException reason) {
            out.add(error(file == null ? task.path() : file.toString(), reason, task));
          }
        };
    IdentifierPolicy identifiers =
        pseudonymKey == null
            ? IdentifierPolicy.keepAsIs()
            : IdentifierPolicy.pseudonymise(pseudonymKey);
    List<CtVolume> volumes;
    ExecutorModels.Loaded m;
    try {
      m = ExecutorModels.get(models);
      volumes = ArchiveUnits.read(task.unit(), listener);
    } catch (IOException | RuntimeException e) {
      out.add(error(task.path(), e, task));
      return out.iterator();
    }
    for (CtVolume v : volumes) {
      List<Row> rows = new ArrayList<>(v.depth());
      try {
        for (int k = 0; k < v.depth(); k += BATCH) {
          List<CtSlice> batch = new ArrayList<>(BATCH);
          for (int j = k; j < Math.min(v.depth(), k + BATCH); j++) {
            batch.add(v.slice(j));
          }
          List<Embedding> e = m.encoder().encodeAll(batch, m.segmenter().segmentAll(batch));
          for (int j = 0; j < batch.size(); j++) {
            rows.add(slice(identifiers.apply(batch.get(j).ref().orElseThrow()), e.get(j), task));
          }
        }
      } catch (RuntimeException e) {
        out.add(
            error(
                task.path(),
                "series "
                    + identifiers.seriesUid(v.seriesUid())
                    + " of patient "
                    + identifiers.patientId(v.patientId())
                    + " could not be encoded: "
                    + e,
                task));
        continue;
      }
      out.addAll(rows);
    }
    return out.iterator();
  }

  private static Row slice(SliceRef r, Embedding e, Task task) {
    return RowFactory.create(
        r.patientId(),
        r.studyUid(),
        r.seriesUid(),
        r.sliceIndex(),
        r.zMm(),
        r.noduleClass().name(),
        r.noduleDiameterMm(),
        e.code(),
        e.fc1(),
        e.classProbabilities(),
        task.path(),
        null,
        null);
  }

  private static Row error(String path, Exception why, Task task) {
    return error(path, reason(path, why), task);
  }

  /** The message without the path that cbmir's exceptions start with: the row has it already. */
  static String reason(String path, Exception why) {
    String m = why.getMessage() == null ? why.toString() : why.getMessage();
    return m.startsWith(path + ": ") ? m.substring(path.length() + 2) : m;
  }

  private static Row error(String path, String reason, Task task) {
    return RowFactory.create(
        null, null, null, null, null, null, null, null, null, null, task.path(), path, reason);
  }
}
