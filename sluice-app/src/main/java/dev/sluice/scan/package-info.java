/**
 * Offline detection of model weights in files ({@code sluice scan}): one pass over each file that
 * feeds the fingerprint matcher and the statistical tensor detector of {@code sluice-detect}, with
 * gzip and zstd files decoded by their magic number.
 */
package dev.sluice.scan;
