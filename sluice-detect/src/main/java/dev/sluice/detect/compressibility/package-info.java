/**
 * The incompressible-egress probe: a fast estimate of how far a generic compressor could shrink the
 * bytes a tenant sends ({@link dev.sluice.detect.compressibility.EntropyEstimate}), applied to a
 * sample of every stream ({@link dev.sluice.detect.compressibility.CompressibilityProbe}).
 * Legitimate egress of an inference site is mostly text, which compresses; encrypted or packed data
 * and float weights do not.
 */
package dev.sluice.detect.compressibility;
