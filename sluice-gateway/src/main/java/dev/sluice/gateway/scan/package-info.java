/**
 * The scan stage ({@code detection}): the fingerprint matcher and the tensor detector of {@code
 * sluice-detect} run on the plaintext egress of a stream before the meter ({@link
 * dev.sluice.gateway.scan.ScanStage} for bytes, {@link dev.sluice.gateway.scan.BodyScan} for the
 * reverse listener's HTTP bodies), what a blocking stage holds back ({@link
 * dev.sluice.gateway.scan.HoldBack}), and how a finding is recorded ({@link
 * dev.sluice.gateway.scan.Detector}: ledger entry, metric, alert input, log line).
 */
package dev.sluice.gateway.scan;
