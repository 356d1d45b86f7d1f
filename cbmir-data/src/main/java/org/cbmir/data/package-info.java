/**
 * Readers for real CT archives and the training data built from them: DICOM series ({@link
 * org.cbmir.data.DicomSeriesReader}), MetaImage ({@link org.cbmir.data.MetaImage}), LUNA16 and LIDC
 * annotations, slice labels, nodule insertion, phantoms and the NumPy dataset export.
 *
 * <pre>{@code
 * List<CtVolume> series = new DicomSeriesReader().read(Path.of("LIDC-IDRI-0001"),
 *     new VolumeReader.ReadListener() {
 *       public void skipped(Path f, CbmirException why) { log.warn(why.getMessage()); }
 *     });
 * CtVolume v = series.get(0);
 * List<Nodule> nodules = LidcAnnotations.nodules(xmlFile, v);
 * NoduleClass[] labels = SliceLabels.label(v, nodules, SliceLabels.DEFAULT_MARGIN_MM);
 * }</pre>
 */
package org.cbmir.data;
