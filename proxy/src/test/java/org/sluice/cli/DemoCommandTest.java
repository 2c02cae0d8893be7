package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.policy.config.ConfigLoader;
import org.sluice.policy.config.RuleConfig;
import org.sluice.policy.config.SluiceConfig;
import picocli.CommandLine;

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

    /** Issue 16 item 10: the demo leaves no temp folder behind, whether it succeeds or fails. */
    @Test
    void theTempFolderIsGoneAfterwardsOnSuccessAndOnFailure(@TempDir Path root) throws Exception {
        List<Path> seen = new ArrayList<>();
        CliResult ok = CliResult.execute(demo(new DemoCommand(root, seen::add)), "demo");
        CliResult failed = CliResult.execute(demo(new DemoCommand(root, folder -> {
            seen.add(folder);
            throw new IOException("stopped by the test");
        })), "demo");

        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).contains("stopped by the test");
        assertThat(seen).hasSize(2).allSatisfy(folder -> assertThat(folder).startsWithRaw(root).doesNotExist());
        try (Stream<Path> left = Files.list(root)) {
            assertThat(left).isEmpty();
        }
    }

    /** The hint it ends with names commands a non-root user can run. */
    @Test
    void theNextHintNamesACopyWhoseAuditLogIsNotUnderVarLog() {
        CliResult result = CliResult.execute("demo");

        assertThat(result.out()).contains("sed 's#/var/log/sluice/audit.jsonl#audit.jsonl#' examples/gateway.yaml "
                + "> my-sluice.yaml").contains("./sluice run --config my-sluice.yaml")
                .doesNotContain("run --config examples/gateway.yaml");
    }

    private static CommandLine demo(DemoCommand command) {
        return SluiceCli.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == DemoCommand.class ? type.cast(command) : CommandLine.defaultFactory().create(type);
            }
        });
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
