package dev.sluice.config;

/**
 * The egress codec of listeners with {@code peer: edge}: the model file gateway and edge both load
 * ({@code codec: {model: PATH}}). {@code model} is null when the section or the key is absent: the
 * built-in model shipped in the jar is used.
 */
public record CodecConfig(java.nio.file.Path model) {

  /** The built-in model. */
  public static CodecConfig defaults() {
    return new CodecConfig(null);
  }
}
