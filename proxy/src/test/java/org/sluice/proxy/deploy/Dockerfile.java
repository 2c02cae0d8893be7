package org.sluice.proxy.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read as Docker reads it, as far as these tests need: comment lines dropped, lines continued with a
 * trailing backslash joined, each instruction split into its keyword and arguments, and grouped into stages by
 * FROM. Not a full parser (no parser directives, no heredocs, no ARG substitution).
 */
record Dockerfile(List<Stage> stages) {

    private static final Pattern FROM = Pattern.compile("(?i)(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?");

    record Instruction(String keyword, String arguments, int line) {

        /** The arguments without leading {@code --flag=value} options (COPY --from=..., HEALTHCHECK --interval=...). */
        String withoutFlags() {
            String rest = arguments;
            while (rest.startsWith("--")) {
                int space = rest.indexOf(' ');
                rest = space < 0 ? "" : rest.substring(space + 1).stripLeading();
            }
            return rest;
        }

        /** The value of {@code --name=value} among the leading flags. */
        Optional<String> flag(String name) {
            String rest = arguments;
            while (rest.startsWith("--")) {
                int space = rest.indexOf(' ');
                String flag = space < 0 ? rest : rest.substring(0, space);
                if (flag.startsWith("--" + name + "=")) {
                    return Optional.of(flag.substring(name.length() + 3));
                }
                rest = space < 0 ? "" : rest.substring(space + 1).stripLeading();
            }
            return Optional.empty();
        }
    }

    record Stage(String base, String name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        /** The last one counts for USER, ENTRYPOINT, CMD and HEALTHCHECK. */
        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
        }

        int indexOf(String keyword, String argumentsContaining) {
            for (int i = 0; i < instructions.size(); i++) {
                Instruction instruction = instructions.get(i);
                if (instruction.keyword().equals(keyword) && instruction.arguments().contains(argumentsContaining)) {
                    return i;
                }
            }
            return -1;
        }
    }

    static Dockerfile parse(String text) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        StringBuilder pending = new StringBuilder();
        int startLine = 0;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            // Docker skips comment lines and empty lines, also inside a continued instruction.
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            if (pending.length() == 0) {
                startLine = n + 1;
            }
            boolean continued = line.endsWith("\\");
            pending.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
            if (continued) {
                continue;
            }
            String whole = pending.toString().strip().replaceAll("\\s+", " ");
            pending.setLength(0);
            if (whole.isEmpty()) {
                continue;
            }
            int space = whole.indexOf(' ');
            String keyword = (space < 0 ? whole : whole.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : whole.substring(space + 1);
            Instruction instruction = new Instruction(keyword, arguments, startLine);
            if (keyword.equals("FROM")) {
                Matcher m = FROM.matcher(arguments);
                if (!m.matches()) {
                    throw new IllegalArgumentException("line " + startLine + ": FROM " + arguments);
                }
                current = new ArrayList<>();
                stages.add(new Stage(m.group(1), m.group(2), current));
            } else if (current == null) {
                if (!keyword.equals("ARG")) {
                    throw new IllegalArgumentException("line " + startLine + ": " + keyword + " before any FROM");
                }
            } else {
                current.add(instruction);
            }
        }
        if (pending.length() > 0) {
            throw new IllegalArgumentException("the file ends in a continued line");
        }
        return new Dockerfile(List.copyOf(stages));
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }

    Optional<Stage> stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst();
    }
}
