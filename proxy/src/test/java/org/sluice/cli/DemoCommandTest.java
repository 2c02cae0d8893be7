package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;

class DemoCommandTest {

    @Test
    void demoShowsAnAllowedADeniedAndAnOversizeRequestAndExitsZero() {
        CliResult result = CliResult.execute("demo");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out())
                .containsPattern("(?m)^\\s+GET /api/tasks\\?limit=10\\s+200\\s+-\\s+\\S")
                .containsPattern("(?m)^\\s+GET /admin/export\\s+403\\s+denied\\s+\\S")
                .containsPattern("(?m)^\\s+POST /api/results \\(1 MiB body\\)\\s+413\\s+body_too_large\\s+\\S")
                .contains("What the central server received: 1 request")
                .contains("OK: ");
        List<String> auditLines = result.out().lines().filter(line -> line.startsWith("  {\"ts\":")).toList();
        assertThat(auditLines).hasSize(3);
        List<java.util.Map<String, String>> records = auditLines.stream().map(line -> JsonFields.of(line.trim())).toList();
        assertThat(records).extracting(fields -> fields.get("status")).containsExactly("200", "403", "413");
        assertThat(records).extracting(fields -> fields.get("error")).containsExactly(null, "denied", "body_too_large");
        assertThat(records.get(0)).containsEntry("decision", "allow").containsEntry("rule", "central-api");
        assertThat(records.get(1)).containsEntry("decision", "deny");
    }

    @Test
    void generatedConfigIsValidWhateverTheTempFolderIsCalled(@TempDir Path folder) throws Exception {
        Path audit = folder.resolve("odd \"name\" \\ here").resolve("audit.jsonl");

        SluiceConfig config = ConfigLoader.parse(DemoCommand.configYaml(4242, audit), folder.resolve("demo.yaml"));

        assertThat(config.audit().path()).isEqualTo(audit);
        assertThat(config.gateway().upstream().port()).isEqualTo(4242);
        assertThat(config.gateway().listen().port()).isZero();
        assertThat(config.rules()).singleElement().satisfies((RuleConfig rule) -> {
            assertThat(rule.name()).isEqualTo("central-api");
            assertThat(rule.methods()).containsExactly("GET", "POST");
            assertThat(rule.paths()).containsExactly("/api/**");
            assertThat(rule.limits().maxRequestBodyBytes()).isEqualTo(64L << 10);
        });
    }
}
