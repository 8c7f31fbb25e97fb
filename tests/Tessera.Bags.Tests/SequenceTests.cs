using CsCheck;
using Tessera.Bags.Internal;
using Tessera.Scheduling;

namespace Tessera.Bags.Tests;

public sealed class SequenceTests
{
    [Fact]
    public void Accumulate_IsTheRunningFoldOverTheWholeInput() =>
        TestBags.Ints.Sample((chunks, sync, persist) =>
        {
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);

            // A non-commutative step: any reordering or lost carry changes the result.
            var expected = new List<int>();
            int acc = 0;
            for (int i = 0; i < all.Length; i++)
            {
                acc = i == 0 ? all[0] : unchecked((acc * 7) - all[i]);
                expected.Add(acc);
            }

            Bag<int> scan = b.Accumulate((a, x) => unchecked((a * 7) - x));
            Assert.Equal(b.PartitionCount, scan.PartitionCount);
            Assert.Equal(expected, scan.Compute(s));

            string[] seeded = ["s", .. all.Select((_, i) => "s" + string.Concat(all.Take(i + 1).Select(x => "," + x)))];
            Assert.Equal(seeded, b.Accumulate("s", (a, x) => a + "," + x).Compute(s));
        });

    [Fact]
    public void Accumulate_OfAnEmptyBag_IsEmptyOrTheInitialValue()
    {
        Bag<int> empty = Bag.FromSequence(Array.Empty<int>(), partitionCount: 3);
        Assert.Empty(empty.Accumulate((a, x) => a + x).Compute());
        Assert.Equal([10L], empty.Accumulate(10L, (a, x) => a + x).Compute());
    }

    [Fact]
    public void RandomSample_IsASeededPerPartitionDraw() =>
        Gen.Select(TestBags.Ints, Gen.Double[0, 1], Gen.Int).Sample((input, probability, seed) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            Bag<int> b = TestBags.Of(chunks, persist);

            // The oracle: a naive loop with the documented generator of each partition.
            var expected = new List<int>();
            for (int p = 0; p < chunks.Length; p++)
            {
                var random = new Random(SequenceKernels.PartitionSeed(seed, p));
                expected.AddRange(chunks[p].Where(_ => random.NextDouble() < probability));
            }

            Bag<int> sample = b.RandomSample(probability, seed);
            Assert.Equal(expected, sample.Compute(TestBags.Scheduler(sync)));
            Assert.Equal(expected, sample.Compute(TestBags.Scheduler(!sync)));
        });

    [Fact]
    public void RandomSample_KeepsAboutTheProbability_AndChecksIt()
    {
        Bag<int> b = Bag.Range(0, 40_000, 8);
        Assert.Empty(b.RandomSample(0, seed: 1).Compute());
        Assert.Equal(Enumerable.Range(0, 40_000), b.RandomSample(1, seed: 1).Compute());

        IReadOnlyList<int> kept = b.RandomSample(0.25, seed: 42).Compute();
        Assert.InRange(kept.Count, 10_000 - 500, 10_000 + 500);  // 5.8 standard deviations
        Assert.True(kept.SequenceEqual(kept.Order()), "a sample keeps the input's order");
        Assert.NotEqual(kept, b.RandomSample(0.25, seed: 43).Compute());

        Bag<int> unseeded = b.RandomSample(0.5);
        Assert.Equal(unseeded.Compute(), unseeded.Compute());

        Assert.Contains("1.5", Assert.Throws<ArgumentOutOfRangeException>(() => b.RandomSample(1.5)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.RandomSample(double.NaN));
    }

    [Fact]
    public void Remove_IsTheInverseOfWhere() =>
        Gen.Select(TestBags.Ints, Gen.Int[-35, 35]).Sample((input, t) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            Assert.Equal(all.Where(x => x <= t), b.Remove(x => x > t).Compute(TestBags.Scheduler(sync)));
        });

    [Fact]
    public void Zip_OfBagsDerivedFromOneBag_MatchesLinqZip() =>
        TestBags.Ints.Sample((chunks, sync, persist) =>
        {
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            Bag<string> names = b.Select(x => "n" + x);
            Assert.Equal(all.Zip(all.Select(x => "n" + x)), b.Zip(names).Compute(s));
            Assert.Equal(all.Select(x => x * x), b.Zip(b, (x, y) => x * y).Compute(s));
        });

    [Fact]
    public void Zip_OfDifferentPartitionings_IsAClearError()
    {
        Bag<int> three = Bag.FromSequence(Enumerable.Range(0, 9), partitionCount: 3);
        ArgumentException e = Assert.Throws<ArgumentException>(() => three.Zip(Bag.FromSequence(Enumerable.Range(0, 9), partitionCount: 2)));
        Assert.Contains("3 and 2 partitions", e.Message, StringComparison.Ordinal);

        Bag<int> uneven = Bag.Concat([Bag.FromSequence([0, 1, 2, 3], partitionCount: 1), Bag.FromSequence([4, 5], partitionCount: 1), Bag.FromSequence([6, 7, 8], partitionCount: 1)]);
        InvalidOperationException mismatch = TestBags.Inner<InvalidOperationException>(() => three.Zip(uneven).Compute(Schedulers.Sync));
        Assert.Contains("Zip: partition 0", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("3 elements in the first bag and 4 in the second", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reduction_MatchesLinq_AtAnySplitEvery() =>
        Gen.Select(TestBags.Ints, Gen.Int[2, 4]).Sample((input, splitEvery) =>
        {
            (int[][] chunks, bool sync, bool persist) = input;
            int[] all = TestBags.All(chunks);
            Bag<int> b = TestBags.Of(chunks, persist);
            IScheduler s = TestBags.Scheduler(sync);
            Assert.Equal(all.Length, b.Reduction(p => p.Count, counts => counts.Sum(), splitEvery).Compute(s));
            Assert.Equal(all.Sum(x => (long)x), b.Reduction(p => p.Sum(x => (long)x), sums => sums.Sum(), splitEvery).Compute(s));

            // Concatenation is order-sensitive: the tree must keep the partials in order.
            Assert.Equal(all, b.Reduction(p => p.ToArray(), parts => parts.SelectMany(x => x).ToArray(), splitEvery).Compute(s));
        });

    [Fact]
    public void ReadText_FilesPerPartition_GroupsFilesInOrder()
    {
        using var dir = new TempDirectory();
        var expected = new List<string>();
        for (int f = 0; f < 7; f++)
        {
            string[] lines = [.. Enumerable.Range(0, f % 3 == 0 ? 0 : 5 + f).Select(i => $"f{f} w{i % 4} x{i}")];
            File.WriteAllLines(dir.File($"p{f}.txt"), lines);
            expected.AddRange(lines);
        }

        for (int group = 1; group <= 8; group++)
        {
            Bag<string> b = Bag.ReadText(dir.File("p*.txt"), filesPerPartition: group);
            Assert.Equal((7 + group - 1) / group, b.PartitionCount);
            Assert.Equal(expected, b.Compute());
            Assert.Equal(
                expected.SelectMany(l => l.Split(' ')).CountBy(w => w).Select(kv => KeyValuePair.Create(kv.Key, (long)kv.Value)).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal),
                b.Str.Split().Flatten().Frequencies().Compute().OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Bag.ReadText(dir.File("p*.txt"), filesPerPartition: 0));
        ArgumentException both = Assert.Throws<ArgumentException>(() => Bag.ReadText(dir.File("p*.txt"), blockSize: 100, filesPerPartition: 2));
        Assert.Contains("not both", both.Message, StringComparison.Ordinal);
    }
}
