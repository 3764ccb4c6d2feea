/**
 * The distribution: what the Debian package ships besides the jar that is generated at build time
 * from the picocli model of the {@code sluice} command (the man page and the bash completion).
 */
package dev.sluice.dist;
