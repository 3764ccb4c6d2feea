/**
 * Time: the {@link dev.sluice.time.Clock} everything is given ({@code SystemClock}, the one class
 * that reads the machine's clock, or a {@code ManualClock} in tests), and the windows limits count
 * over, aligned to the calendar of the site's time zone (a month is a calendar month).
 */
package dev.sluice.time;
