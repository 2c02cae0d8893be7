package org.sluice.bench.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sluice.policy.content.ContentInput;

/**
 * The legitimate suite carries no cell of the data set, judged by the data itself (not by the checks under
 * evaluation), and its values are computed over the data, not fixed. Short numbers are the exception the suite is
 * there to measure: a count of 581 is also a patient's invoice of 581.00.
 */
class LegitimateSuiteTest {

    private static final Set<String> QUANTILES = Set.of("min", "q25", "q50", "q75", "max");
    private static final Map<LegitimateKind, List<ContentInput>> REQUESTS = new LinkedHashMap<>();
    private static DataOracle oracle;

    @BeforeAll
    static void generateOnce() {
        ContentEvaluation evaluation = new ContentEvaluation(Fixtures.data(), ProtectedDataSet.SEED);
        for (LegitimateKind kind : LegitimateSuite.kinds()) {
            REQUESTS.put(kind, evaluation.legitimateRequests(kind));
        }
        oracle = Fixtures.oracle();
    }

    @Test
    void noLegitimateRequestCarriesATextValueOfTheDataOtherThanACategory() {
        List<String> found = new ArrayList<>();
        REQUESTS.forEach((kind, requests) -> {
            for (ContentInput request : requests) {
                for (DataOracle.Leaf leaf : DataOracle.leaves(request)) {
                    int rows = oracle.rows(leaf.value());
                    if (!isNumber(leaf.value()) && rows > 0 && rows < 1_000) {
                        found.add(kind.name() + ": " + leaf);
                    }
                }
            }
        });
        assertThat(found).isEmpty();
    }

    @Test
    void longNumbersAreRareValuesOfTheDataOnlyWhereTheyAreQuantiles() {
        int rareQuantiles = 0;
        List<String> found = new ArrayList<>();
        for (Map.Entry<LegitimateKind, List<ContentInput>> kind : REQUESTS.entrySet()) {
            for (ContentInput request : kind.getValue()) {
                for (DataOracle.Leaf leaf : DataOracle.leaves(request)) {
                    if (!isNumber(leaf.value()) || !oracle.rare(leaf.value())) {
                        continue;
                    }
                    if (kind.getKey().name().equals("summary-statistics") && QUANTILES.contains(leaf.name())) {
                        rareQuantiles++;
                    } else if (leaf.value().length() > 6) {
                        // a count such as 581 may equal a whole-euro invoice; a computed 17-digit mean may not
                        found.add(kind.getKey().name() + ": " + leaf);
                    }
                }
            }
        }
        assertThat(found).isEmpty();
        // the risk the suite is there to measure: an invoice's quartile is one patient's exact amount
        assertThat(rareQuantiles).isGreaterThan(LegitimateSuite.REQUESTS);
    }

    @Test
    void everyAggregateChangesWithThePartOfTheDataItIsComputedOver() {
        REQUESTS.forEach((kind, requests) -> {
            Set<String> distinct = new HashSet<>();
            for (ContentInput request : requests) {
                distinct.add(Encodings.text(request.body()) + request.query() + request.headerValues());
            }
            // a subtask's input names a column and nothing else: 4 columns x 2..5 organizations
            int least = kind.name().equals("task-create") ? 16 : kind.requests() * 9 / 10;
            assertThat(distinct).as(kind.name()).hasSizeGreaterThanOrEqualTo(least);
        });
    }

    @Test
    void histogramsLeaveOutCellsUnderTheThreshold() {
        LegitimateKind histograms = REQUESTS.keySet().stream().filter(k -> k.name().equals("histograms"))
                .findFirst().orElseThrow();
        for (ContentInput request : REQUESTS.get(histograms)) {
            for (DataOracle.Leaf leaf : DataOracle.leaves(request)) {
                if (!leaf.name().equals("suppressed")) {
                    assertThat(Integer.parseInt(leaf.value())).isGreaterThanOrEqualTo(LegitimateSuite.MIN_CELL_COUNT);
                }
            }
        }
    }

    private static boolean isNumber(String value) {
        return value.matches("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    }
}
