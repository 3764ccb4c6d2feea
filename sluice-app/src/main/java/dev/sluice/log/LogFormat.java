package dev.sluice.log;

/** How log lines are written: {@code text} (the default) or {@code json}, one object per line. */
public enum LogFormat {
  TEXT,
  JSON
}
