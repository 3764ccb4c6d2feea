package dev.sluice.ledger;

/**
 * The availability of a {@link Ledger}, for health checks and metrics. Counters are totals since
 * the ledger was opened.
 *
 * @param available the ledger is open and accepts appends
 * @param unavailableSinceMillis epoch ms at which the current outage began, or -1 while available
 *     (also -1 when the ledger is merely closed)
 * @param cause the error that began the current outage, or null
 * @param retries repair attempts made after I/O errors, failed or not
 * @param recoveries outages that ended with a repair, without a restart
 * @param refused appends refused because the ledger was unavailable after an I/O error
 */
public record LedgerStatus(
    boolean available,
    long unavailableSinceMillis,
    String cause,
    long retries,
    long recoveries,
    long refused) {}
