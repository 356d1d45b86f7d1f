package org.cbmir.opensearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Embedding;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.Models;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.SliceRef;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.testing.SharedData;
import org.cbmir.data.DatasetExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On the real LIDC-IDRI series of {@code ../shared/data} (skipped where absent): {@link
 * SimilarCaseSearch} ingests them into an OpenSearch index (every add mirrored into an in-process
 * index, so the shipped models encode each slice once), then every tenth slice, as a query from
 * another patient, gets the same top 10 from OpenSearch as from the in-process index.
 */
@ExtendWith(OpenSearchNode.class)
class RealDataIT {

  @Test
  void sameTopTenAsTheInProcessIndexOnRealCt() throws IOException {
    Path lidc = SharedData.require().resolve("lidc-idri");
    OpenSearchTarget target = OpenSearchNode.target("real-lidc");
    try (SimilarCaseSearch viaOpenSearch = mirrored(target);
        SimilarCaseSearch inProcess =
            SimilarCaseSearch.builder().using(((Mirror) viaOpenSearch.index()).local)) {
      SimilarCaseSearch.IngestReport report = viaOpenSearch.ingest(lidc);
      assertTrue(report.slices() > 500, "slices ingested: " + report.slices());
      assertEquals(report.slices(), viaOpenSearch.index().size());
      int queries = 0;
      for (DatasetExporter.Source s :
          DatasetExporter.discover(lidc, VolumeReader.ReadListener.NONE)) {
        CtVolume v = s.volume();
        for (int z = 0; z < v.depth(); z += 10) {
          CtSlice q = v.slice(z);
          SearchRequest req =
              SearchRequest.builder().k(10).excludePatients(Set.of(v.patientId())).build();
          SearchResult want = inProcess.search(q, req);
          SearchResult got = viaOpenSearch.search(q, req);
          assertEquals(10, got.hits().size());
          DifferentialIT.compare(want, got, v.patientId() + " slice " + z);
          queries++;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "real data: %d slices in OpenSearch, %d queries with the same top 10%n",
          report.slices(),
          queries);
      assertTrue(queries > 50, "queries: " + queries);
    } finally {
      OpenSearchIndexes.delete(target);
    }
  }

  /** A search object over OpenSearch whose adds and removes are mirrored in process. */
  private static SimilarCaseSearch mirrored(OpenSearchTarget target) throws IOException {
    try (var encoder = Models.encoder()) {
      IndexConfig config = IndexConfig.builder().matching(encoder).build();
      RetrievalIndex remote = OpenSearchIndexes.create(target, config);
      return SimilarCaseSearch.builder().using(new Mirror(remote, RetrievalIndexes.create(config)));
    }
  }

  /**
   * Reads and searches go to OpenSearch; adds and removes go to both, with the same ordinals. Only
   * for this test: it is how one ingest feeds two indexes.
   */
  private static final class Mirror implements RetrievalIndex {
    final RetrievalIndex remote;
    final RetrievalIndex local;

    Mirror(RetrievalIndex remote, RetrievalIndex local) {
      this.remote = remote;
      this.local = local;
    }

    @Override
    public int bits() {
      return remote.bits();
    }

    @Override
    public int featureDimension() {
      return remote.featureDimension();
    }

    @Override
    public String modelFingerprint() {
      return remote.modelFingerprint();
    }

    @Override
    public int add(SliceRef ref, Embedding embedding) {
      int ord = remote.add(ref, embedding);
      assertEquals(ord, local.add(ref, embedding));
      return ord;
    }

    @Override
    public boolean remove(int ordinal) {
      local.remove(ordinal);
      return remote.remove(ordinal);
    }

    @Override
    public boolean isRemoved(int ordinal) {
      return remote.isRemoved(ordinal);
    }

    @Override
    public int size() {
      return remote.size();
    }

    @Override
    public int ordinalCount() {
      return remote.ordinalCount();
    }

    @Override
    public SliceRef ref(int ordinal) {
      return remote.ref(ordinal);
    }

    @Override
    public SearchResult search(Embedding query, SearchRequest request) {
      return remote.search(query, request);
    }

    @Override
    public List<SearchResult> searchBatch(List<Embedding> queries, SearchRequest request) {
      return new ArrayList<>(remote.searchBatch(queries, request));
    }

    @Override
    public void save(Path file) throws IOException {
      remote.save(file);
    }

    @Override
    public void close() {
      try {
        remote.close();
      } finally {
        local.close();
      }
    }
  }
}
