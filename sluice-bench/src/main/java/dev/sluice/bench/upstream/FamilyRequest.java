package dev.sluice.bench.upstream;

import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.SampleOptions;

/**
 * What a request asks of the family upstream.
 *
 * @param family the server shape to answer in
 * @param options the stream's options (usage, obfuscation, model, creation time)
 * @param key a hash of the request body: it picks the answer and seeds the stream, so the same
 *     request always gets the same bytes
 */
record FamilyRequest(Family family, SampleOptions options, long key) {}
