package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ledger.Checkpoint;
import dev.sluice.ledger.Hash;
import dev.sluice.ledger.InclusionProof;
import dev.sluice.ledger.InvalidNoteException;
import dev.sluice.ledger.NoteVerifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The self-contained JSON form of an {@link InclusionProof}, as written by {@code ledger prove} and
 * read by {@code ledger check-proof}:
 *
 * <pre>
 * {
 *   "format": "sluice-inclusion-proof/v1",
 *   "vkey": "&lt;verifier key of the ledger&gt;",
 *   "checkpoint": "&lt;the signed checkpoint note, verbatim&gt;",
 *   "index": 12,
 *   "tree_size": 40,
 *   "entry": "&lt;base64 of the entry's canonical encoding&gt;",
 *   "leaf_hash": "&lt;base64 SHA-256(0x00 || entry)&gt;",
 *   "path": ["&lt;base64 hash&gt;", ...]
 * }
 * </pre>
 *
 * <p>{@code tree_size} and {@code leaf_hash} are for readers; the checker recomputes and compares
 * them. Thread-safe: stateless.
 */
final class ProofDocument {

  static final String FORMAT = "sluice-inclusion-proof/v1";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ProofDocument() {}

  static String write(InclusionProof p, NoteVerifier key) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("vkey", key.encode());
    o.put("checkpoint", p.checkpoint().note());
    o.put("index", p.index());
    o.put("tree_size", p.checkpoint().size());
    o.put("entry", Base64.getEncoder().encodeToString(p.payload()));
    o.put("leaf_hash", p.leafHash().base64());
    ArrayNode path = o.putArray("path");
    p.path().forEach(h -> path.add(h.base64()));
    return JSON.writeValueAsString(o) + "\n";
  }

  /** The document's own verifier key. */
  static NoteVerifier embeddedKey(JsonNode doc) throws InvalidNoteException {
    return NoteVerifier.parse(text(doc, "vkey"));
  }

  static JsonNode parse(String json) throws InvalidNoteException {
    JsonNode doc;
    try {
      doc = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidNoteException("not a JSON proof document: " + e.getOriginalMessage());
    }
    if (doc == null || !doc.isObject() || !FORMAT.equals(doc.path("format").asText())) {
      throw new InvalidNoteException("not a " + FORMAT + " document");
    }
    return doc;
  }

  /**
   * Opens the document with {@code key}: checks the checkpoint signature and that the stated tree
   * size and leaf hash agree with the checkpoint and entry. The audit path itself is checked by
   * {@link InclusionProof#problem()}.
   */
  static InclusionProof open(JsonNode doc, NoteVerifier key) throws InvalidNoteException {
    Checkpoint cp = Checkpoint.open(text(doc, "checkpoint"), key);
    long index = number(doc, "index");
    if (number(doc, "tree_size") != cp.size()) {
      throw new InvalidNoteException(
          "tree_size " + number(doc, "tree_size") + " is not the checkpoint's " + cp.size());
    }
    List<Hash> path = new ArrayList<>();
    for (JsonNode h : doc.path("path")) {
      path.add(hash(h.asText(), "path element"));
    }
    byte[] entry;
    try {
      entry = Base64.getDecoder().decode(text(doc, "entry"));
    } catch (IllegalArgumentException e) {
      throw new InvalidNoteException("entry is not base64");
    }
    InclusionProof p = new InclusionProof(cp, index, entry, path);
    if (!p.leafHash().equals(hash(text(doc, "leaf_hash"), "leaf_hash"))) {
      throw new InvalidNoteException("leaf_hash is not the hash of the entry");
    }
    return p;
  }

  private static Hash hash(String b64, String what) throws InvalidNoteException {
    try {
      return Hash.fromBase64(b64);
    } catch (IllegalArgumentException e) {
      throw new InvalidNoteException(what + " is not a base64 SHA-256 hash: " + b64);
    }
  }

  private static String text(JsonNode doc, String field) throws InvalidNoteException {
    JsonNode n = doc.get(field);
    if (n == null || !n.isTextual()) {
      throw new InvalidNoteException("proof document has no text field " + field);
    }
    return n.asText();
  }

  private static long number(JsonNode doc, String field) throws InvalidNoteException {
    JsonNode n = doc.get(field);
    if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToLong()) {
      throw new InvalidNoteException("proof document has no integer field " + field);
    }
    return n.asLong();
  }
}
