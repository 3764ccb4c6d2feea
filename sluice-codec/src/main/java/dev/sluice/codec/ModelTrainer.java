package dev.sluice.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds a codec model file from sample answers (the text a site's models write). Feed every text
 * with {@link #add}, then {@link #build} returns the bytes of the model file; writing it
 * (atomically) is the caller's job.
 *
 * <p>INTERIM: the real statistics are being written (issue 7); the API is final.
 */
public final class ModelTrainer {

  private final ByteArrayOutputStream texts = new ByteArrayOutputStream();
  private long count;

  /** Adds one answer's text. */
  public void add(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    texts.write(b, 0, b.length);
    count++;
  }

  /** Texts added so far. */
  public long texts() {
    return count;
  }

  /** Bytes of text added so far (UTF-8). */
  public long textBytes() {
    return texts.size();
  }

  /** Trains and returns the bytes of the model file. */
  public byte[] build(TrainingProgress progress) {
    progress.update("training", 0, 1);
    byte[] out =
        ("SLCM-interim " + count + " texts, " + texts.size() + " bytes\n")
            .getBytes(StandardCharsets.US_ASCII);
    progress.update("training", 1, 1);
    return out;
  }
}
