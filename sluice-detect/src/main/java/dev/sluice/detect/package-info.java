/**
 * Detection of model weights in egress (DESIGN section 9): what a weight file's tensors are ({@code
 * detect.format}), their content-defined fingerprints and the index of them ({@code
 * detect.fingerprint}), the statistical detector of float tensor data ({@code detect.tensor}) and
 * the decoders that undo base64, hex, plain archives and content encodings ({@code detect.decode}).
 * Pure computation on bytes: no networking, no clock.
 */
package dev.sluice.detect;
