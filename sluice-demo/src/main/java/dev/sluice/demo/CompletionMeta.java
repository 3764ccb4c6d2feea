package dev.sluice.demo;

/**
 * What every chunk of one completion repeats: its id, creation second, model and fingerprint.
 *
 * @param created Unix seconds
 */
record CompletionMeta(String id, long created, String model, String systemFingerprint) {}
