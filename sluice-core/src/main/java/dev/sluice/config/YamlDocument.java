package dev.sluice.config;

import java.util.Iterator;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Composes YAML text into one node tree with line marks (YAML 1.2 core schema: {@code yes} and
 * {@code no} are strings, not booleans). Syntax errors, an empty file and a second document are
 * reported; nothing is constructed into Java objects, so no YAML tag can instantiate anything.
 */
final class YamlDocument {

  /** Aliases are legal YAML but a config has no use for many; this stops "billion laughs". */
  private static final int MAX_ALIASES = 50;

  private YamlDocument() {}

  /** The root node, or {@code null} after reporting why there is none. */
  static Node compose(String sourceName, String text, Problems problems) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(sourceName)
            .setSchema(new CoreSchema())
            .setUseMarks(true)
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(MAX_ALIASES)
            .build();
    try {
      Iterator<Node> docs = new Compose(settings).composeAllFromString(text).iterator();
      if (!docs.hasNext()) {
        problems.error(1, "", "the file is empty", null);
        return null;
      }
      Node root = docs.next();
      if (docs.hasNext()) {
        Node second = docs.next();
        int line = second.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        problems.error(line, "", "only one YAML document is allowed; remove the second", null);
        return null;
      }
      return root;
    } catch (MarkedYamlEngineException e) {
      Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
      String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
      problems.error(
          mark == null ? 0 : mark.getLine() + 1,
          "",
          "YAML syntax error: " + e.getProblem() + context,
          null);
      return null;
    } catch (YamlEngineException e) {
      problems.error(0, "", "YAML error: " + e.getMessage(), null);
      return null;
    }
  }
}
