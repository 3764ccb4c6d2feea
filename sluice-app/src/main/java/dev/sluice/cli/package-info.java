/**
 * The {@code sluice} command (picocli): {@code run}, {@code demo}, {@code edge}, {@code
 * check-config}, the ledger tools, {@code halt}, {@code resume}, {@code status} and the codec
 * tools. Each subcommand does one job; the human output (tables, sizes) and exit codes live here.
 */
package dev.sluice.cli;
