package dev.sluice.detect.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Enough of the pickle machine to learn, from the {@code data.pkl} of a {@code torch.save} zip,
 * each storage's element type and the tensors built on it. It runs the opcodes of protocols 2 to 5
 * that torch writes, but never imports or calls anything: a {@code persistent_load} of {@code
 * ('storage', torch.FloatStorage, key, location, numel)} becomes a {@link Storage}, a call of
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} a {@link Tensor}
 * (also through {@code _rebuild_parameter}), and a tensor stored under a string key of a dict is
 * named by that key. Any other call is an opaque value.
 *
 * <p>It never fails: on an opcode it does not know, or on a malformed stream, it stops and returns
 * what it learnt so far, and the reader falls back to {@link DType#UNKNOWN} for the storages it did
 * not see. The work is bounded by the length of the pickle (each opcode consumes at least one
 * byte), which the reader bounds.
 */
final class TorchPickle {

  /** A storage: its key (the zip entry {@code data/KEY}) and element type. */
  record Storage(String key, DType dtype) {}

  /** A tensor view of a storage. */
  record Tensor(Storage storage, long offset, List<Long> shape) {}

  /** A tensor and the name it was stored under. */
  record Named(String name, Tensor tensor) {}

  private record Global(String module, String name) {}

  private record Call(Object function, Object args) {}

  private static final Object MARK = new Object();
  private static final Object NONE = new Object();

  private final Map<String, DType> storages = new LinkedHashMap<>();
  private final List<Named> tensors = new ArrayList<>();

  private TorchPickle() {}

  /** Storage key to element type, for every storage the pickle names. */
  Map<String, DType> storages() {
    return storages;
  }

  /** Named tensors, in pickle order. */
  List<Named> tensors() {
    return tensors;
  }

  static TorchPickle parse(byte[] pickle) {
    TorchPickle p = new TorchPickle();
    try {
      p.run(ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN));
    } catch (RuntimeException e) {
      // Malformed or unsupported: keep what was learnt (see the class comment).
    }
    return p;
  }

  static DType storageType(String name) {
    return switch (name) {
      case "FloatStorage" -> DType.F32;
      case "DoubleStorage" -> DType.F64;
      case "HalfStorage" -> DType.F16;
      case "BFloat16Storage" -> DType.BF16;
      case "LongStorage" -> DType.I64;
      case "IntStorage" -> DType.I32;
      case "ShortStorage" -> DType.I16;
      case "CharStorage" -> DType.I8;
      case "ByteStorage" -> DType.U8;
      case "BoolStorage" -> DType.BOOL;
      case "Float8_e4m3fnStorage", "Float8_e5m2Storage" -> DType.F8;
      default -> DType.UNKNOWN;
    };
  }

  @SuppressWarnings("unchecked")
  private void run(ByteBuffer b) {
    Deque<Object> stack = new ArrayDeque<>();
    Map<Long, Object> memo = new HashMap<>();
    while (b.hasRemaining()) {
      int op = b.get() & 0xff;
      switch (op) {
        case 0x80 -> b.get(); // PROTO
        case 0x95 -> b.getLong(); // FRAME
        case '.' -> {
          return; // STOP
        }
        case '}', 'd' -> {
          if (op == 'd') {
            popMark(stack);
          }
          stack.push(new LinkedHashMap<Object, Object>());
        }
        case ']', 'l' -> {
          List<Object> items = op == 'l' ? popMark(stack) : new ArrayList<>();
          stack.push(new ArrayList<>(items));
        }
        case ')' -> stack.push(List.of());
        case '(' -> stack.push(MARK);
        case 't' -> stack.push(popMark(stack));
        case 0x85 -> stack.push(tuple(stack, 1));
        case 0x86 -> stack.push(tuple(stack, 2));
        case 0x87 -> stack.push(tuple(stack, 3));
        case 'X' -> stack.push(text(b, b.getInt()));
        case 0x8c -> stack.push(text(b, b.get() & 0xff));
        case 0x8d -> stack.push(text(b, b.getLong()));
        case 'U', 'C' -> stack.push(text(b, b.get() & 0xff));
        case 'T', 'B' -> stack.push(text(b, b.getInt()));
        case 0x8e -> stack.push(text(b, b.getLong()));
        case 'K' -> stack.push((long) (b.get() & 0xff));
        case 'M' -> stack.push((long) (b.getShort() & 0xffff));
        case 'J' -> stack.push((long) b.getInt());
        case 0x8a -> stack.push(longN(b, b.get() & 0xff));
        case 0x8b -> stack.push(longN(b, b.getInt()));
        case 'G' -> {
          b.position(b.position() + 8); // BINFLOAT: the value is not needed
          stack.push(NONE);
        }
        case 'N' -> stack.push(NONE);
        case 0x88 -> stack.push(Boolean.TRUE);
        case 0x89 -> stack.push(Boolean.FALSE);
        case 'c' -> stack.push(new Global(line(b), line(b)));
        case 0x93 -> {
          Object name = stack.pop();
          stack.push(new Global(String.valueOf(stack.pop()), String.valueOf(name)));
        }
        case 'q' -> memo.put((long) (b.get() & 0xff), stack.peek());
        case 'r' -> memo.put(b.getInt() & 0xffffffffL, stack.peek());
        case 0x94 -> memo.put((long) memo.size(), stack.peek());
        case 'h' -> stack.push(memo.get((long) (b.get() & 0xff)));
        case 'j' -> stack.push(memo.get(b.getInt() & 0xffffffffL));
        case 'Q' -> stack.push(persistent(stack.pop()));
        case 'R', 0x81 -> {
          Object args = stack.pop();
          stack.push(call(stack.pop(), args));
        }
        case 0x92 -> {
          stack.pop(); // kwargs
          Object args = stack.pop();
          stack.push(call(stack.pop(), args));
        }
        case 'b' -> stack.pop(); // BUILD: the state is not needed
        case 's' -> {
          Object value = stack.pop();
          Object key = stack.pop();
          put(stack.peek(), key, value);
        }
        case 'u' -> {
          List<Object> items = popMark(stack);
          Object dict = stack.peek();
          for (int i = 0; i + 1 < items.size(); i += 2) {
            put(dict, items.get(i), items.get(i + 1));
          }
        }
        case 'a' -> {
          Object v = stack.pop();
          ((List<Object>) stack.peek()).add(v);
        }
        case 'e' -> {
          List<Object> items = popMark(stack);
          ((List<Object>) stack.peek()).addAll(items);
        }
        case '0' -> stack.pop();
        case '1' -> popMark(stack);
        case '2' -> stack.push(stack.peek());
        default -> throw new IllegalStateException("pickle opcode " + op);
      }
    }
  }

  private Object persistent(Object pid) {
    if (pid instanceof List<?> t
        && t.size() >= 3
        && "storage".equals(t.get(0))
        && t.get(1) instanceof Global g) {
      String key = String.valueOf(t.get(2));
      DType dtype = storageType(g.name());
      storages.putIfAbsent(key, dtype);
      return new Storage(key, dtype);
    }
    return pid;
  }

  private static Object call(Object function, Object args) {
    if (function instanceof Global g && args instanceof List<?> a) {
      if (g.name().equals("OrderedDict")) {
        return new LinkedHashMap<Object, Object>();
      }
      if (g.name().startsWith("_rebuild_tensor")
          && a.size() >= 3
          && a.get(0) instanceof Storage s
          && a.get(1) instanceof Long offset
          && a.get(2) instanceof List<?> size) {
        List<Long> shape = new ArrayList<>();
        for (Object d : size) {
          if (!(d instanceof Long l)) {
            return new Call(function, args);
          }
          shape.add(l);
        }
        return new Tensor(s, offset, shape);
      }
      if (g.name().equals("_rebuild_parameter") && !a.isEmpty() && a.get(0) instanceof Tensor t) {
        return t;
      }
    }
    return new Call(function, args);
  }

  @SuppressWarnings("unchecked")
  private void put(Object dict, Object key, Object value) {
    if (dict instanceof Map<?, ?> m) {
      ((Map<Object, Object>) m).put(key, value);
    }
    if (key instanceof String name && value instanceof Tensor t) {
      tensors.add(new Named(name, t));
    }
  }

  private static List<Object> tuple(Deque<Object> stack, int n) {
    Object[] items = new Object[n];
    for (int i = n - 1; i >= 0; i--) {
      items[i] = stack.pop();
    }
    return List.of(items);
  }

  private static List<Object> popMark(Deque<Object> stack) {
    List<Object> items = new ArrayList<>();
    while (true) {
      Object o = stack.pop();
      if (o == MARK) {
        break;
      }
      items.add(0, o);
    }
    return items;
  }

  private static String text(ByteBuffer b, long n) {
    if (n < 0 || n > b.remaining()) {
      throw new IllegalStateException("string past the end");
    }
    byte[] s = new byte[(int) n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static String line(ByteBuffer b) {
    StringBuilder s = new StringBuilder();
    while (true) {
      byte c = b.get();
      if (c == '\n') {
        return s.toString();
      }
      s.append((char) c);
    }
  }

  private static Long longN(ByteBuffer b, int n) {
    if (n < 0 || n > 8) {
      throw new IllegalStateException("long of " + n + " bytes");
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) (b.get() & 0xff) << (8 * i);
    }
    if (n > 0 && n < 8 && (v >>> (8 * n - 1) & 1) == 1) {
      v |= -1L << (8 * n);
    }
    return v;
  }
}
