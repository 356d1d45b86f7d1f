/**
 * Pure-Java CT preprocessing shared by inference and dataset export, so that training and inference
 * cannot disagree: resampling to a given spacing, HU windows, and the threshold lung mask that is
 * both the model-free baseline and the U-Net's label.
 *
 * <pre>{@code
 * CtSlice oneMm = Resampling.resampleSlice(slice, 1.0);
 * LungMask mask = ThresholdLungMask.DEFAULT.segment(oneMm);
 * float[] lungWindow = HuWindow.LUNG.apply(oneMm.hu());
 * }</pre>
 */
package org.cbmir.api.preprocessing;
