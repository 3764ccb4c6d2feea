package dev.sluice.codec;

/**
 * Where every stream's adaptive state starts: the tuned statistics of a model file (what the
 * trainer's tuning streams left in a stream's models). Each stream copies it; none changes it.
 */
final class StreamStart {
  final Probs streamFlags;
  final DiffCoder diff;
  final Probs numbers;
  final Probs textFlags;
  final Probs forms;
  final Probs valueFlags;
  final Probs shapeFlags;

  StreamStart(
      Probs streamFlags,
      DiffCoder diff,
      Probs numbers,
      Probs textFlags,
      Probs forms,
      Probs valueFlags,
      Probs shapeFlags) {
    this.streamFlags = streamFlags;
    this.diff = diff;
    this.numbers = numbers;
    this.textFlags = textFlags;
    this.forms = forms;
    this.valueFlags = valueFlags;
    this.shapeFlags = shapeFlags;
  }

  /** What a stream's models hold now, as the start of the next (tuning). */
  static StreamStart of(StreamCodec s) {
    DiffCoder d = new DiffCoder(null);
    d.copyFrom(s.diff);
    return new StreamStart(
        copy(s.flags),
        d,
        copy(s.numbers.probs),
        copy(s.text.flags),
        copy(s.text.forms),
        copy(s.values.flags),
        copy(s.shapes.flags));
  }

  private static Probs copy(Probs p) {
    Probs q = new Probs(p.t.length);
    q.copyFrom(p);
    return q;
  }

  void applyTo(StreamCodec s) {
    s.flags.copyFrom(streamFlags);
    s.diff.copyFrom(diff);
    s.numbers.probs.copyFrom(numbers);
    s.text.flags.copyFrom(textFlags);
    s.text.forms.copyFrom(forms);
    s.values.flags.copyFrom(valueFlags);
    s.shapes.flags.copyFrom(shapeFlags);
  }
}
