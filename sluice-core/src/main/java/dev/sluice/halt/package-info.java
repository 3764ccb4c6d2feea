/**
 * Halts: whether egress of the site or of one zone is stopped, checked by the data plane before
 * every write, and the {@code halts} file that keeps the halts in force across restarts.
 */
package dev.sluice.halt;
