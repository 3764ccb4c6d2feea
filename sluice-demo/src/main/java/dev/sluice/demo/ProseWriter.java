package dev.sluice.demo;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes plausible assistant-style prose in ASCII from a small built-in grammar: an opening line,
 * then paragraphs, headed sections and lists in random order, then a closing line. It reads like a
 * generic explanation, which is all a demo of byte budgets needs; the vocabulary is large enough
 * that long answers do not look like one sentence repeated. One instance writes one answer.
 */
final class ProseWriter {
  private static final String[] SUBJECTS = {
    "the system",
    "a good design",
    "each step",
    "the team",
    "the first version",
    "a simple rule",
    "the final result",
    "every measurement",
    "the network",
    "a careful reader",
    "the model",
    "this approach",
    "the operator",
    "a small change",
    "the budget",
    "the process",
    "a clear plan",
    "the data",
    "the user",
    "the next stage",
    "a short checklist",
    "the review",
  };
  private static final String[][] VERBS = {
    {"improves", "improve"},
    {"depends on", "depend on"},
    {"reveals", "reveal"},
    {"balances", "balance"},
    {"protects", "protect"},
    {"measures", "measure"},
    {"simplifies", "simplify"},
    {"shapes", "shape"},
    {"explains", "explain"},
    {"limits", "limit"},
    {"supports", "support"},
    {"changes", "change"},
    {"reduces", "reduce"},
    {"clarifies", "clarify"},
    {"strengthens", "strengthen"},
    {"exposes", "expose"},
  };
  private static final String[] OBJECTS = {
    "the overall cost", "a clear set of rules", "the quality of the result",
    "long-term reliability", "the flow of information", "each small decision",
    "the shape of the problem", "the time it takes to recover", "how people work together",
    "the balance between speed and safety", "the number of surprises", "what happens under load",
    "the trust of its users", "the cost of a mistake", "the amount of rework",
    "the questions worth asking", "the edges of the plan", "what the numbers really mean",
  };
  private static final String[] CONDITIONS = {
    "over time", "in practice", "when the load is high", "without much extra effort",
    "for most real workloads", "at every stage", "as things grow", "when nobody is watching",
    "on a busy day", "in the long run", "from the very first day", "after the first release",
  };
  private static final String[] ADJECTIVES = {
    "most useful", "easiest to test", "hardest to get right", "worth the effort",
    "surprisingly robust", "simple to explain", "expensive to change", "easy to overlook",
  };
  private static final String[] OPENERS = {
    "In practice", "First", "Most of the time", "As a rule", "For example", "On the other hand",
    "Above all", "To begin with", "Equally important", "In many cases", "Even so", "Later on",
  };
  private static final String[] HEADINGS = {
    "Key ideas", "How it works", "A worked example", "Common pitfalls", "Practical tips",
    "Why it matters", "Trade-offs", "Next steps", "A closer look", "What to watch for",
  };
  private static final String[] INTROS = {
    "Here is a clear way to think about \"%s\".",
    "Let's look at \"%s\" step by step.",
    "Good question. \"%s\" touches on several ideas at once.",
    "Sure. Here is an overview of \"%s\" and what follows from it.",
  };

  private final SplittableRandom random;
  private final StringBuilder out = new StringBuilder();

  ProseWriter(SplittableRandom random) {
    this.random = random;
  }

  /** The first few words of {@code prompt}, plain enough to quote, or a stand-in. */
  static String topic(String prompt) {
    String[] words = prompt.replaceAll("[^A-Za-z0-9' -]+", " ").trim().split("\\s+", 9);
    int n = Math.min(words.length, 8);
    String t = String.join(" ", Arrays.copyOf(words, n)).trim();
    return t.isEmpty() ? "this question" : t;
  }

  /**
   * An answer of at least {@code target} characters (one byte each) when {@code target <=
   * maxBytes}, never longer than {@code maxBytes}.
   */
  String write(String topic, int target, int maxBytes) {
    out.append(String.format(Locale.ROOT, pick(INTROS), topic));
    while (out.length() < target) {
      out.append("\n\n");
      block();
    }
    out.append("\n\n").append(closing());
    if (out.length() > maxBytes) {
      int cut = out.lastIndexOf(" ", maxBytes);
      out.setLength(cut > 0 ? cut : maxBytes);
    }
    return out.toString();
  }

  private void block() {
    switch (random.nextInt(5)) {
      case 0:
        out.append("### ").append(pick(HEADINGS)).append("\n\n");
        paragraph();
        break;
      case 1:
        list(true);
        break;
      case 2:
        list(false);
        break;
      default:
        paragraph();
    }
  }

  private void paragraph() {
    int sentences = 3 + random.nextInt(4);
    for (int i = 0; i < sentences; i++) {
      if (i > 0) {
        out.append(' ');
      }
      out.append(sentence());
    }
  }

  private void list(boolean numbered) {
    int items = 3 + random.nextInt(3);
    for (int i = 1; i <= items; i++) {
      if (i > 1) {
        out.append('\n');
      }
      out.append(numbered ? i + ". " : "- ");
      if (!numbered) {
        out.append("**").append(pick(HEADINGS)).append("**: ");
      }
      out.append(sentence());
    }
  }

  private String sentence() {
    String s = pick(SUBJECTS);
    String[] v = VERBS[random.nextInt(VERBS.length)];
    String o = pick(OBJECTS);
    switch (random.nextInt(9)) {
      case 0:
        return capital(s) + " " + v[0] + " " + o + " " + pick(CONDITIONS) + ".";
      case 1:
        return pick(OPENERS) + ", " + s + " " + v[0] + " " + o + ".";
      case 2:
        return "It helps to remember that " + s + " " + v[0] + " " + o + ".";
      case 3:
        return capital(s)
            + " is "
            + pick(ADJECTIVES)
            + " when "
            + pick(SUBJECTS)
            + " "
            + v[0]
            + " "
            + o
            + ".";
      case 4:
        return "The main reason is simple: "
            + s
            + " "
            + v[0]
            + " "
            + o
            + " "
            + pick(CONDITIONS)
            + ".";
      case 5:
        return "If "
            + s
            + " "
            + v[0]
            + " "
            + o
            + ", "
            + pick(SUBJECTS)
            + " should "
            + pick(VERBS)[1]
            + " "
            + pick(OBJECTS)
            + " as well.";
      case 6:
        return "A common mistake is to assume that " + s + " never " + v[0] + " " + o + ".";
      case 7:
        return "This is why " + s + " " + v[0] + " " + o + " " + pick(CONDITIONS) + ".";
      default:
        return capital(s)
            + " rarely "
            + v[0]
            + " "
            + o
            + " by itself; it needs "
            + pick(SUBJECTS)
            + " too.";
    }
  }

  private String closing() {
    String core = pick(SUBJECTS) + " " + pick(VERBS)[0] + " " + pick(OBJECTS);
    switch (random.nextInt(3)) {
      case 0:
        return "In short, " + core + ", and that is what matters most.";
      case 1:
        return "I hope this helps. The short version: " + core + ".";
      default:
        return "To sum up, " + core + " " + pick(CONDITIONS) + ".";
    }
  }

  private String pick(String[] words) {
    return words[random.nextInt(words.length)];
  }

  private String[] pick(String[][] words) {
    return words[random.nextInt(words.length)];
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
