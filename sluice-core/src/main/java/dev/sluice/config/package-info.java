/**
 * The configuration: a YAML file read once at start into a validated, immutable {@link
 * dev.sluice.config.SluiceConfig}, with every problem of the file collected and reported with its
 * line (nothing here throws for bad content). Owns the spelling of sizes ({@code 810GB}, {@code
 * 0.1% weights}), durations, names, host patterns and addresses as they are written in the file.
 */
package dev.sluice.config;
