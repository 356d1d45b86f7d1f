/**
 * cbmir's public API: value types, interfaces, factories and the {@code SimilarCaseSearch} facade.
 * Implementations come from other modules through the services it uses.
 */
module org.cbmir.api {
  exports org.cbmir.api;
  exports org.cbmir.api.preprocessing;

  uses org.cbmir.api.RetrievalIndexProvider;
  uses org.cbmir.api.ModelProvider;
  uses org.cbmir.api.VolumeReader;
}
