using Tessera.Scheduling;

namespace Tessera.Tests;

[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

[Collection(nameof(ProcessEnvironment))]
public sealed class TesseraConfigTests
{
    [Fact]
    public void Defaults_AreReadable()
    {
        Assert.Equal("threads", TesseraConfig.Get<string>("scheduler", "none"));
        Assert.False(TesseraConfig.Get("delayed-pure", true));
    }

    [Fact]
    public void Set_Scoped_OverridesAndRestores()
    {
        string before = TesseraConfig.Get("scheduler", "?");
        using (TesseraConfig.Set(("scheduler", "sync"), ("custom_key", 5)))
        {
            Assert.Equal("sync", TesseraConfig.Get("scheduler", "?"));
            Assert.Equal(5, TesseraConfig.Get("custom-key", 0));
            Assert.Equal(5, TesseraConfig.Get("custom_key", 0));
            using (TesseraConfig.Set(("scheduler", "threads")))
            {
                Assert.Equal("threads", TesseraConfig.Get("scheduler", "?"));
            }

            Assert.Equal("sync", TesseraConfig.Get("scheduler", "?"));
        }

        Assert.Equal(before, TesseraConfig.Get("scheduler", "?"));
        Assert.Null(TesseraConfig.Get("custom-key"));
    }

    [Fact]
    public async Task Set_Scoped_FlowsIntoWorkStartedInside()
    {
        using (TesseraConfig.Set(("num-workers", 3)))
        {
            int seen = await Task.Run(() => TesseraConfig.Get("num-workers", 0), TestContext.Current.CancellationToken);
            Assert.Equal(3, seen);
        }
    }

    [Theory]
    [InlineData("foo_bar", "foo-bar")]
    [InlineData("Fizz-Buzz", "fizz-buzz")]
    [InlineData("x_y.a_b", "x-y.a-b")]
    [InlineData("OPTIMIZATION__FUSE__ACTIVE", "optimization.fuse.active")]
    [InlineData("a:b", "a.b")]
    public void Normalize_TreatsDashAndUnderscoreAlike(string key, string canonical) =>
        Assert.Equal(canonical, TesseraConfig.Normalize(key));

    [Fact]
    public void ParseValue_ReadsJsonLiteralsAndKeepsOtherText()
    {
        Assert.Equal(123L, TesseraConfig.ParseValue("123"));
        Assert.Equal(true, TesseraConfig.ParseValue("True"));
        Assert.Null(TesseraConfig.ParseValue("None"));
        Assert.Null(TesseraConfig.ParseValue("null"));
        Assert.Equal("hello", TesseraConfig.ParseValue("hello"));
        Assert.Equal(new List<object?> { 1L, 2L, "3" }, TesseraConfig.ParseValue("[1, 2, \"3\"]"));
        Assert.Equal("/not/parsable/as/literal", TesseraConfig.ParseValue("/not/parsable/as/literal"));
        Assert.Equal(1.5, TesseraConfig.ParseValue("1.5"));
    }

    [Fact]
    public void EnvironmentAndFiles_LaterSourcesWin()
    {
        string dir = Path.Combine(Path.GetTempPath(), "tessera-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string a = Path.Combine(dir, "a.json");
        string b = Path.Combine(dir, "b.json");
        File.WriteAllText(a, """{ "x": 1, "y": { "a": 1 } }""");
        File.WriteAllText(b, """{ "x": 2, "z": 3, "y": { "b": 2 } }""");
        string[] vars = ["TESSERA_CONFIG", "TESSERA_W", "TESSERA_Z", "TESSERA_E__X", "TESSERA_NUM_WORKERS_TEST"];
        try
        {
            Environment.SetEnvironmentVariable("TESSERA_CONFIG", a + Path.PathSeparator + b);
            Environment.SetEnvironmentVariable("TESSERA_W", "4");
            Environment.SetEnvironmentVariable("TESSERA_Z", "30");
            Environment.SetEnvironmentVariable("TESSERA_E__X", "123");
            Environment.SetEnvironmentVariable("TESSERA_NUM_WORKERS_TEST", "7");
            TesseraConfig.Refresh();
            Assert.Equal(2L, TesseraConfig.Get("x"));
            Assert.Equal(1L, TesseraConfig.Get("y.a"));
            Assert.Equal(2L, TesseraConfig.Get("y.b"));
            Assert.Equal(30L, TesseraConfig.Get("z"));
            Assert.Equal(4L, TesseraConfig.Get("w"));
            Assert.Equal(123L, TesseraConfig.Get("e.x"));
            Assert.Equal(7, TesseraConfig.Get("num_workers_test", 0));
        }
        finally
        {
            foreach (string v in vars)
            {
                Environment.SetEnvironmentVariable(v, null);
            }

            TesseraConfig.Refresh();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Get_UnconvertibleValue_ThrowsNamingTheKey()
    {
        using (TesseraConfig.Set(("num-workers", "many")))
        {
            FormatException e = Assert.Throws<FormatException>(() => TesseraConfig.Get("num-workers", 0));
            Assert.Contains("num-workers", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SchedulerSetting_ChoosesTheDefaultScheduler()
    {
        using (TesseraConfig.Set(("scheduler", "sync")))
        {
            Assert.Same(SyncScheduler.Instance, Schedulers.Default);
        }

        using (TesseraConfig.Set(("scheduler", "threads"), ("num-workers", 3)))
        {
            Assert.Equal(3, Assert.IsType<ThreadedScheduler>(Schedulers.Default).Threads);
        }

        using (TesseraConfig.Set(("scheduler", "bogus")))
        {
            ArgumentException e = Assert.Throws<ArgumentException>(() => Schedulers.Default);
            Assert.Contains("bogus", e.Message, StringComparison.Ordinal);
        }
    }
}
