package io.joulegov.cli.plot;

import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.Tick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * A log axis labelled at round values (1, 2, 3, 5 x 10^k, or every integer multiple when the range is narrower than
 * that gives three labels): JFreeChart's own labels only the powers of ten, and a frontier rarely spans one.
 */
final class RoundLogAxis extends LogarithmicAxis {

    private static final DecimalFormat FORMAT = new DecimalFormat("0.###");

    RoundLogAxis(String label) {
        super(label);
        setAllowNegativesFlag(false);
        setStrictValuesFlag(false);
        setAutoRangeNextLogFlag(false);
    }

    @Override
    public List<Tick> refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
        List<Tick> ticks = ticks(new int[] {1, 2, 3, 5}, edge);
        return ticks.size() >= 3 ? ticks : ticks(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, edge);
    }

    private List<Tick> ticks(int[] multiples, RectangleEdge edge) {
        boolean vertical = RectangleEdge.isLeftOrRight(edge);
        TextAnchor anchor = vertical ? TextAnchor.CENTER_RIGHT : TextAnchor.TOP_CENTER;
        double lo = getLowerBound();
        double hi = getUpperBound();
        List<Tick> ticks = new ArrayList<>();
        for (int k = (int) Math.floor(Math.log10(lo)); k <= (int) Math.ceil(Math.log10(hi)); k++) {
            for (int m : multiples) {
                double v = m * Math.pow(10, k);
                if (v >= lo && v <= hi) {
                    ticks.add(new NumberTick(v, FORMAT.format(v), anchor, anchor, 0));
                }
            }
        }
        return ticks;
    }
}
