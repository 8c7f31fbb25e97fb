using Tessera.Graphs;
using Tessera.Scheduling;

namespace Tessera.Tests;

public sealed class DelayedTests
{
    private static long Inc(long x) => x + 1;

    private static long Add(long x, long y) => x + y;

    private static long Sum(IReadOnlyList<long> xs) => xs.Sum();

    public static TheoryData<string> SchedulerNames => ["sync", "threads"];

    [Theory]
    [MemberData(nameof(SchedulerNames))]
    public void Compute_CallsOnValuesAndLazyValues_GivesTheEagerResult(string scheduler)
    {
        var add = Delayed.Of<long, long, long>(Add);
        var inc = Delayed.Of<long, long>(Inc);
        Delayed<long> x = add(1, 2);
        Delayed<long> y = inc(x);
        Assert.Equal(Inc(Add(1, 2)), y.Compute(Schedulers.Resolve(scheduler)));
    }

    [Fact]
    public void Compute_OperatorsOnLazyNumbers_GiveTheEagerResult()
    {
        var add = Delayed.Of<long, long, long>(Add);
        Delayed<long> x = add(1, 2);
        Assert.Equal(6L, (x + 3).Compute());
        Assert.Equal(-3L, (-x).Compute());
        Assert.Equal(9L, (x * x).Compute());
        Assert.Equal(2.5, (Delayed.Value(5.0) / 2.0).Compute());
    }

    [Fact]
    public void Compute_ListOfLazyValues_IsTraversed()
    {
        var sum = Delayed.Of<IReadOnlyList<long>, long>(Sum);
        var inc = Delayed.Of<long, long>(Inc);
        List<Delayed<long>> items = [.. Enumerable.Range(0, 100).Select(i => inc(i))];
        Assert.Equal(Enumerable.Range(0, 100).Sum(i => i + 1L), sum(Delayed.List(items)).Compute());
    }

    [Fact]
    public void ToGraph_ListIsEmbedded_NotATaskOfItsOwn()
    {
        var sum = Delayed.Of<IReadOnlyList<long>, long>(Sum);
        var inc = Delayed.Of<long, long>(Inc);
        Delayed<long> total = sum(Delayed.List([inc(1), inc(2)]));
        Assert.Equal(3, total.ToGraph().Count);
    }

    [Fact]
    public void ToGraph_ValueKeyIsInsideTheGraphOfWhatUsesIt()
    {
        Delayed<long> one = Delayed.Value(1L);
        var inc = Delayed.Of<long, long>(Inc);
        TaskGraph g = inc(one).ToGraph();
        Assert.True(g.ContainsKey(one.Key));
        Assert.Equal(2, g.Count);
    }

    [Fact]
    public void Compute_SharedSubexpression_RunsOnce()
    {
        int calls = 0;
        var slow = Delayed.Of<long, long>(x => { Interlocked.Increment(ref calls); return x * 10; });
        var add = Delayed.Of<long, long, long>(Add);
        Delayed<long> shared = slow(4);
        Assert.Equal(80L, add(shared, shared).Compute());
        Assert.Equal(1, calls);
    }

    [Fact]
    public void StaticCompute_SharedPartsComputedOnce()
    {
        int calls = 0;
        var slow = Delayed.Of<long, long>(x => { Interlocked.Increment(ref calls); return x * 10; });
        var inc = Delayed.Of<long, long>(Inc);
        Delayed<long> shared = slow(4);
        (long a, long b) = Delayed.Compute(inc(shared), inc(inc(shared)));
        Assert.Equal(41L, a);
        Assert.Equal(42L, b);
        Assert.Equal(1, calls);
        Assert.Equal([41L, 40L], Delayed.Compute([inc(shared), shared]));
    }

    [Fact]
    public void Of_ImpureByDefault_EqualCallsGetDifferentKeys()
    {
        var inc = Delayed.Of<long, long>(Inc);
        Assert.NotEqual(inc(1).Key, inc(1).Key);
        Assert.Equal("Inc", inc(1).Key.Prefix);
    }

    [Fact]
    public void Of_Pure_EqualCallsGetEqualKeysAndDifferentCallsDiffer()
    {
        var inc = Delayed.Of<long, long>(Inc, pure: true);
        Assert.Equal(inc(1).Key, inc(1).Key);
        Assert.NotEqual(inc(1).Key, inc(2).Key);
        Assert.Equal(inc(inc(1)).Key, inc(inc(1)).Key);
        var other = Delayed.Of<long, long>(x => x + 1, pure: true);
        Assert.NotEqual(inc(1).Key, other(1).Key);
    }

    [Fact]
    public void Of_Pure_ConfigSettingMakesCallsPure()
    {
        using (TesseraConfig.Set(("delayed-pure", true)))
        {
            var inc = Delayed.Of<long, long>(Inc);
            Assert.Equal(inc(5).Key, inc(5).Key);
        }
    }

    [Fact]
    public void Of_CustomName_PrefixesKeys()
    {
        var fit = Delayed.Of<long, long>(Inc, name: "fit-model");
        Assert.Equal("fit-model", fit(1).Key.Prefix);
    }

    [Fact]
    public void WithName_GivesTheKeyThatWasAskedFor()
    {
        var inc = Delayed.Of<long, long>(Inc);
        Delayed<long> x = inc(1).WithName("my-result");
        Assert.Equal(new Key("my-result"), x.Key);
        Assert.Equal(3L, inc(x).Compute());
        Assert.True(inc(x).ToGraph().ContainsKey("my-result"));
    }

    [Fact]
    public void Value_TokenizableContent_GetsDeterministicKey()
    {
        Assert.Equal(Delayed.Value(new[] { 1, 2, 3 }).Key, Delayed.Value(new[] { 1, 2, 3 }).Key);
        Assert.NotEqual(Delayed.Value(new[] { 1, 2, 3 }).Key, Delayed.Value(new[] { 1, 2, 4 }).Key);
    }

    [Fact]
    public void Select_AppliesLazilyToTheResult()
    {
        Delayed<string> s = Delayed.Value("tessera");
        Delayed<int> length = s.Select(x => x.Length);
        Delayed<int> query = from x in s select x.Length * 2;
        Assert.Equal(7, length.Compute());
        Assert.Equal(14, query.Compute());
    }

    [Fact]
    public void Tuple_PairsTwoLazyValues()
    {
        var inc = Delayed.Of<long, long>(Inc);
        var swap = Delayed.Of<(long, string), (string, long)>(p => (p.Item2, p.Item1));
        Assert.Equal(("a", 2L), swap(Delayed.Tuple<long, string>(inc(1), "a")).Compute());
    }

    [Fact]
    public void Deconstruct_LazyTuple_GivesOneLazyValuePerItem()
    {
        int calls = 0;
        var split = Delayed.Of<long, (long, long)>(x => { Interlocked.Increment(ref calls); return (x, -x); });
        var (a, b) = split(4);
        Assert.Equal((4L, -4L), Delayed.Compute(a, b));
        Assert.Equal(1, calls);
        var three = Delayed.Of<int, (int, string, double)>(x => (x, x.ToString(System.Globalization.CultureInfo.InvariantCulture), x / 2.0));
        var (i, s, d) = three(5);
        Assert.Equal((5, "5", 2.5), Delayed.Compute(i, s, d));
    }

    [Fact]
    public void Persist_HoldsTheResultUnderTheSameKey()
    {
        int calls = 0;
        var slow = Delayed.Of<long, long>(x => { Interlocked.Increment(ref calls); return x * 10; });
        var inc = Delayed.Of<long, long>(Inc);
        Delayed<long> x = slow(3);
        Delayed<long> p = x.Persist();
        Assert.Equal(x.Key, p.Key);
        Assert.Equal(31L, inc(p).Compute());
        Assert.Equal(31L, inc(p).Compute());
        Assert.Equal(1, calls);
        Assert.Single(p.ToGraph());
    }

    [Fact]
    public async Task ComputeAsync_GivesTheSameResult()
    {
        var add = Delayed.Of<long, long, long>(Add);
        Assert.Equal(7L, await add(3, 4).ComputeAsync(TestContext.Current.CancellationToken));
        Assert.Equal(7L, await add(3, 4).ComputeAsync(Schedulers.Sync, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Compute_FunctionsOfUpToEightArguments()
    {
        var f0 = Delayed.Of(() => 1L);
        var f8 = Delayed.Of<long, long, long, long, long, long, long, long, long>((a, b, c, d, e, f, g, h) => a + b + c + d + e + f + g + h);
        Assert.Equal(36L, f8(f0(), 2, 3, 4, 5, 6, 7, 8).Compute());
    }

    [Fact]
    public void Compute_NullArgumentForReferenceType_PassesNull()
    {
        var describe = Delayed.Of<string?, string>(s => s ?? "<null>");
        Assert.Equal("<null>", describe((string?)null).Compute());
    }

    [Fact]
    public void Compute_FailingFunction_RaisesWithTheTaskKey()
    {
        var fail = Delayed.Of<long, long>(x => throw new ArgumentException("bad x " + x), name: "check");
        Delayed<long> bad = fail(3);
        TaskFailedException e = Assert.Throws<TaskFailedException>(() => bad.Compute());
        Assert.Equal(bad.Key, e.Key);
        Assert.Equal("bad x 3", Assert.IsType<ArgumentException>(e.InnerException).Message);
    }

    [Fact]
    public void Of_NullFunction_Throws() =>
        Assert.Throws<ArgumentNullException>(() => Delayed.Of<long, long>(null!));

    [Fact]
    public void ImplicitValue_ComputesToItself()
    {
        Delayed<long> five = 5L;
        Assert.Equal(5L, five.Compute());
        Assert.False(five.Key.IsDefault);
        Assert.Equal(five.Key, five.Key);
    }

    [Fact]
    public void GridSearch_AsInTheReadme_PicksTheBestModel()
    {
        var fit = Delayed.Of<int, int, (int A, int B, double Loss)>((a, b) => (a, b, Math.Abs(a - 3) + Math.Abs(b - 5)));
        var models = new List<Delayed<(int A, int B, double Loss)>>();
        foreach (int a in Enumerable.Range(0, 6))
        {
            foreach (int b in Enumerable.Range(0, 8))
            {
                models.Add(fit(a, b));
            }
        }

        var best = Delayed.Of<IReadOnlyList<(int A, int B, double Loss)>, (int A, int B, double Loss)>(ms => ms.MinBy(m => m.Loss));
        Assert.Equal((3, 5, 0.0), best(Delayed.List(models)).Compute());
    }
}
