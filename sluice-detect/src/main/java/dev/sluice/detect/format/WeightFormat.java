package dev.sluice.detect.format;

/** The weight-file formats {@link WeightFiles} recognises, each with its reader. */
public enum WeightFormat {
  SAFETENSORS,
  GGUF,
  ONNX,
  PYTORCH_ZIP,
  TFJS,
  /** Anything else: the whole file is one region of {@link DType#UNKNOWN}. */
  RAW;

  /** The reader of this format. */
  public WeightFileReader reader() {
    return switch (this) {
      case SAFETENSORS -> new SafetensorsReader();
      case GGUF -> new GgufReader();
      case ONNX -> new OnnxReader();
      case PYTORCH_ZIP -> new TorchZipReader();
      case TFJS -> new TfjsReader();
      case RAW -> new RawReader();
    };
  }
}
