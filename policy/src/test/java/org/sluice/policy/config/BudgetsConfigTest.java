package org.sluice.policy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BudgetsConfigTest {
    private static final String BASE = """
            version: 1
            gateway:
              listen: 127.0.0.1:8080
              upstream: https://central.example.org
            audit:
              path: audit.jsonl
            """;

    private static SluiceConfig parse(String budgets) throws ConfigException {
        return ConfigLoader.parse(BASE + budgets, Path.of("sluice.yaml"));
    }

    @Test
    void withoutABudgetsSectionNothingIsLimited() throws ConfigException {
        assertThat(parse("").budgets()).isEqualTo(BudgetsConfig.NONE);
        assertThat(BudgetsConfig.NONE.limited()).isFalse();
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        BudgetsConfig budgets = parse("""
                budgets:
                  window: 10m
                  perClient: {requests: 100, requestBytes: 1MiB}
                  perJob: {requests: 1000, requestBytes: 10MiB, totalRequestBytes: 1GiB}
                """).budgets();

        assertThat(budgets.window()).isEqualTo(Duration.ofMinutes(10));
        assertThat(budgets.perClient()).isEqualTo(new BudgetsConfig.Budget(100, 1L << 20));
        assertThat(budgets.perJob()).isEqualTo(new BudgetsConfig.Budget(1000, 10L << 20));
        assertThat(budgets.jobTotalRequestBytes()).isEqualTo(1L << 30);
        assertThat(budgets.limited()).isTrue();
    }

    @Test
    void aWindowOutsideOneSecondToSevenDaysIsRefusedAtItsValue() throws ConfigException {
        assertThatThrownBy(() -> parse("budgets:\n  window: 999ms\n"))
                .hasMessageContaining("sluice.yaml:8:11: budgets.window: expected a duration from 1000ms to "
                        + "604800000ms, got '999ms'");
        assertThatThrownBy(() -> parse("budgets:\n  window: 169h\n")).hasMessageContaining("got '169h'");
        assertThat(parse("budgets:\n  window: 1s\n").budgets().window()).isEqualTo(Duration.ofSeconds(1));
        assertThat(parse("budgets:\n  window: 168h\n").budgets().window()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void perTaskIsReadAndLimitsOnItsOwn() throws ConfigException {
        BudgetsConfig budgets = parse("budgets:\n  perTask: {requests: 50, requestBytes: 2MiB}\n").budgets();

        assertThat(budgets.perTask()).isEqualTo(new BudgetsConfig.Budget(50, 2L << 20));
        assertThat(budgets.perClient()).isEqualTo(BudgetsConfig.Budget.NONE);
        assertThat(budgets.limited()).isTrue();
        assertThat(parse("budgets:\n  perClient: {requests: 5}\n").budgets().perTask())
                .isEqualTo(BudgetsConfig.Budget.NONE);
        assertThatThrownBy(() -> parse("budgets:\n  perTask: {requests: 5, totalRequestBytes: 1}\n"))
                .hasMessageContaining("sluice.yaml:8:").hasMessageContaining("unknown key 'totalRequestBytes'");
        assertThatThrownBy(() -> parse("budgets:\n  perTask: {requestBytes: many}\n"))
                .hasMessageContaining("budgets.perTask.requestBytes");
    }

    @Test
    void keysLeftOutDoNotLimit() throws ConfigException {
        BudgetsConfig budgets = parse("budgets:\n  perClient: {requests: 5}\n").budgets();

        assertThat(budgets.window()).isEqualTo(BudgetsConfig.DEFAULT_WINDOW);
        assertThat(budgets.perClient().requestBytes()).isEqualTo(Long.MAX_VALUE);
        assertThat(budgets.perJob()).isEqualTo(BudgetsConfig.Budget.NONE);
    }

    @Test
    void mistakesAreReportedWithTheirPlace() {
        assertThatThrownBy(() -> parse("budgets:\n  perClient: {request: 5}\n"))
                .hasMessageContaining("sluice.yaml:8:").hasMessageContaining("unknown key 'request'");
        assertThatThrownBy(() -> parse("budgets:\n  perJob: {totalRequestBytes: lots}\n"))
                .hasMessageContaining("budgets.perJob.totalRequestBytes");
        assertThatThrownBy(() -> parse("budgets:\n  window: 0s\n")).hasMessageContaining("budgets.window");
        assertThatThrownBy(() -> parse("budgets:\n  perClient: {requests: -1}\n"))
                .hasMessageContaining("budgets.perClient.requests");
    }
}
