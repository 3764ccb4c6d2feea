package dev.sluice.config;

/** For {@code tcp} listeners: which direction of the connection leaves the site. */
public enum Egress {
  /** Bytes written toward the upstream (the inside connects out). */
  UPSTREAM,
  /** Bytes written back toward the client (the outside connects in). */
  CLIENT
}
