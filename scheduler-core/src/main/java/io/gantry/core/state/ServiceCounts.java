package io.gantry.core.state;

import io.gantry.core.model.SpreadLevel;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Object2IntHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Replicas of each service per node and per topology domain, kept on every assume and release so a
 * service constraint is checked in O(1) per node, never by scanning pods.
 *
 * <p>For each (service, level) a histogram counts the domains holding exactly c replicas (c >= 1), so
 * the fewest replicas in any domain (the skew's minimum over the live domains) is 0 while some live
 * domain has none, and otherwise the lowest non-empty histogram entry. Domains of level
 * {@link SpreadLevel#NODE} are node ids.
 */
final class ServiceCounts {
    static final int NO_SERVICE = -1;
    static final int LEVELS = SpreadLevel.values().length;

    private final Object2IntHashMap<String> idByName = new Object2IntHashMap<>(NO_SERVICE);
    private final List<String> names = new ArrayList<>();
    /** Key (service << 32 | domain) per level; value: replicas there. Absent = 0. */
    private final Long2LongHashMap[] perDomain = new Long2LongHashMap[LEVELS];
    /** Per service * LEVELS + level: domains holding exactly c replicas, at index c. */
    private int[][] domainsWithCount = new int[0][];
    /** Per service * LEVELS + level: domains holding at least one replica. */
    private int[] occupiedDomains = new int[0];
    /** Services whose counts changed since {@link #drainChanged} last ran, each once. */
    private final IntArrayList changed = new IntArrayList();
    private boolean[] changedFlag = new boolean[0];

    ServiceCounts() {
        for (int level = 0; level < LEVELS; level++) {
            perDomain[level] = new Long2LongHashMap(0);
        }
    }

    /** The service's dense id, made on first sight (cold: once per service). */
    int intern(String service) {
        int id = idByName.getValue(service);
        if (id == NO_SERVICE) {
            id = names.size();
            names.add(service);
            idByName.put(service, id);
            domainsWithCount = Arrays.copyOf(domainsWithCount, (id + 1) * LEVELS);
            for (int i = id * LEVELS; i < (id + 1) * LEVELS; i++) {
                domainsWithCount[i] = new int[8];
            }
            occupiedDomains = Arrays.copyOf(occupiedDomains, (id + 1) * LEVELS);
            changedFlag = Arrays.copyOf(changedFlag, id + 1);
        }
        return id;
    }

    int idOf(String service) {
        return idByName.getValue(service);
    }

    String name(int service) {
        return names.get(service);
    }

    int serviceCount() {
        return names.size();
    }

    /** Replicas of {@code service} in {@code domain} of {@code level}; 0 for {@link ClusterState#NO_DOMAIN}. */
    int inDomain(int service, int level, int domain) {
        return domain < 0 ? 0 : (int) perDomain[level].get(key(service, domain));
    }

    /** The fewest replicas of {@code service} in any of {@code liveDomains} domains of {@code level}. */
    int fewest(int service, int level, int liveDomains) {
        int row = service * LEVELS + level;
        if (occupiedDomains[row] < liveDomains) {
            return 0;
        }
        int[] histogram = domainsWithCount[row];
        for (int c = 1; c < histogram.length; c++) {
            if (histogram[c] > 0) {
                return c;
            }
        }
        return 0;
    }

    /** Adds {@code delta} (+1 or -1) replicas of {@code service} to {@code domain} of {@code level}; no-op without a domain. */
    void add(int service, int level, int domain, int delta) {
        if (domain < 0) {
            return;
        }
        long key = key(service, domain);
        int before = (int) perDomain[level].get(key);
        int after = before + delta;
        if (after < 0) {
            throw new IllegalStateException("service " + names.get(service) + ": replica count in a " + SpreadLevel.values()[level]
                    + " domain would fall below 0");
        }
        if (after == 0) {
            perDomain[level].remove(key);
        } else {
            perDomain[level].put(key, after);
        }
        int row = service * LEVELS + level;
        int[] histogram = domainsWithCount[row];
        if (after >= histogram.length) {
            histogram = domainsWithCount[row] = Arrays.copyOf(histogram, Math.max(after + 1, histogram.length * 2));
        }
        if (before > 0) {
            histogram[before]--;
        } else {
            occupiedDomains[row]++;
        }
        if (after > 0) {
            histogram[after]++;
        } else {
            occupiedDomains[row]--;
        }
        if (!changedFlag[service]) {
            changedFlag[service] = true;
            changed.addInt(service);
        }
    }

    boolean anyChanged() {
        return !changed.isEmpty();
    }

    /** Services whose counts changed since the last drain, into {@code out} (cleared first); resets the list. */
    void drainChanged(IntArrayList out) {
        out.clear();
        for (int i = 0; i < changed.size(); i++) {
            int service = changed.getInt(i);
            changedFlag[service] = false;
            out.addInt(service);
        }
        changed.clear();
    }

    /** Brute-force check of the histograms against the counts; for {@link ClusterState#verify()}. */
    void verifyHistograms() {
        for (int service = 0; service < names.size(); service++) {
            for (int level = 0; level < LEVELS; level++) {
                int[] expected = new int[domainsWithCount[service * LEVELS + level].length];
                int occupied = 0;
                Long2LongHashMap.KeyIterator keys = perDomain[level].keySet().iterator();
                while (keys.hasNext()) {
                    long key = keys.nextValue();
                    if ((int) (key >>> 32) == service) {
                        int count = (int) perDomain[level].get(key);
                        if (count >= expected.length) {
                            throw new IllegalStateException("service " + names.get(service) + ": histogram too short for count " + count);
                        }
                        expected[count]++;
                        occupied++;
                    }
                }
                int row = service * LEVELS + level;
                if (occupied != occupiedDomains[row] || !Arrays.equals(Arrays.copyOfRange(expected, 1, expected.length),
                        Arrays.copyOfRange(domainsWithCount[row], 1, expected.length))) {
                    throw new IllegalStateException("service " + names.get(service) + ": " + SpreadLevel.values()[level]
                            + " domain histogram disagrees with the per-domain counts");
                }
            }
        }
    }

    private static long key(int service, int domain) {
        return ((long) service << 32) | (domain & 0xFFFF_FFFFL);
    }
}
