package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.detect.fingerprint.Match;
import dev.sluice.detect.tensor.Carrier;
import dev.sluice.scan.ScanResult;
import dev.sluice.scan.TensorHit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The output of {@code sluice scan}: per file a text block or one JSON object on one line.
 *
 * <p>Text: {@code FILE: weights (N fingerprint matches, M tensor regions; B bytes scanned)} or
 * {@code FILE: clean (B bytes scanned)}, then one indented line per match ({@code match LANE offset
 * O length L <- SOURCE at S}) and per tensor region ({@code tensor LANE offset O length L DTYPE
 * [CARRIER]}).
 *
 * <p>JSON: {@code {"file","verdict":"weights"|"clean","bytes","encoding","matches":[{"lane",
 * "offset","length","source","source_offset"}],"match_count","tensors":[{"lane","offset","length",
 * "dtype","carrier"}],"tensor_count","decode_failure"}}; an unreadable file: {@code {"file",
 * "verdict":"error","error"}}. Offsets and lengths are bytes on the lane ({@link Match}, {@link
 * TensorHit}); {@code *_count} go on past the listed entries.
 */
final class ScanText {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ScanText() {}

  static String text(Path file, ScanResult r) {
    StringBuilder b = new StringBuilder();
    b.append(file).append(": ");
    if (r.weights()) {
      b.append(
          String.format(
              Locale.ROOT,
              "weights (%d fingerprint matches, %d tensor regions; %d bytes scanned%s)",
              r.matchCount(),
              r.tensorCount(),
              r.bytes(),
              r.encoding() == null ? "" : ", " + r.encoding() + " decoded"));
    } else {
      b.append(
          String.format(
              Locale.ROOT,
              "clean (%d bytes scanned%s)",
              r.bytes(),
              r.encoding() == null ? "" : ", " + r.encoding() + " decoded"));
    }
    for (Match m : r.matches()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%n  match   %-12s offset %d length %d <- %s at %d",
              m.lane(),
              m.streamOffset(),
              m.length(),
              m.file().name(),
              m.sourceOffset()));
    }
    for (TensorHit t : r.tensors()) {
      b.append(
          String.format(
              Locale.ROOT,
              "%n  tensor  %-12s offset %d length %d %s%s",
              t.lane(),
              t.offset(),
              t.length(),
              t.dtype(),
              t.carrier() == Carrier.RAW ? "" : " " + t.carrier().name().toLowerCase(Locale.ROOT)));
    }
    return b.toString();
  }

  static String json(Path file, ScanResult r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("file", file.toString());
    o.put("verdict", r.weights() ? "weights" : "clean");
    o.put("bytes", r.bytes());
    o.put("encoding", r.encoding());
    List<Map<String, Object>> matches = new ArrayList<>();
    for (Match m : r.matches()) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("lane", m.lane());
      j.put("offset", m.streamOffset());
      j.put("length", m.length());
      j.put("source", m.file().name());
      j.put("source_offset", m.sourceOffset());
      matches.add(j);
    }
    o.put("matches", matches);
    o.put("match_count", r.matchCount());
    List<Map<String, Object>> tensors = new ArrayList<>();
    for (TensorHit t : r.tensors()) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("lane", t.lane());
      j.put("offset", t.offset());
      j.put("length", t.length());
      j.put("dtype", t.dtype().name());
      j.put("carrier", t.carrier().name().toLowerCase(Locale.ROOT));
      tensors.add(j);
    }
    o.put("tensors", tensors);
    o.put("tensor_count", r.tensorCount());
    o.put("decode_failure", r.decodeFailure());
    return write(o);
  }

  static String jsonError(Path file, String why) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("file", file.toString());
    o.put("verdict", "error");
    o.put("error", why);
    return write(o);
  }

  private static String write(Map<String, Object> o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      // maps of strings and numbers always serialise
      throw new IllegalStateException(e);
    }
  }
}
