/** Readers for real CT archives, annotations, labels, training data and the evaluation. */
module org.cbmir.data {
  requires transitive org.cbmir.api;
  requires org.slf4j;
  requires ij;
  requires java.xml;
  requires java.desktop;

  exports org.cbmir.data;
  exports org.cbmir.data.eval;

  provides org.cbmir.api.VolumeReader with
      org.cbmir.data.DicomSeriesReader,
      org.cbmir.data.MetaImage;
}
