using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Tessera.Bags;
using Tessera.Benchmarks.Harness;
using Tessera.Distributed;
using Tessera.Scheduling;

namespace Tessera.Benchmarks.Workloads;

/// <summary>
/// Dask's workload 6 (shared/bench/dask/bag.py) with its case names, reading the files that script
/// generates in /tmp/anchors-data/bag-SIZE (generated here through the script when missing):
/// word count over text files and a filter/pluck/frequencies/topk pipeline over JSON lines.
/// </summary>
/// <remarks>
/// <para><c>[threads]</c> is the threaded scheduler. <c>[processes]</c> is a LocalCluster with two worker
/// processes (one thread each) and a client, started once before the timed runs: Dask's bag
/// <c>processes</c> scheduler starts a fresh process pool in every compute, which Tessera has no
/// counterpart of, so the case <c>tessera: LocalCluster start + tiny bag compute + close</c> reports that
/// fixed cost separately.</para>
/// <para>The JSON cases read typed records with <c>Bag.ReadJsonLines&lt;Person&gt;</c> (System.Text.Json
/// straight from the file's bytes) and select the name, where Dask parses each line into a dict with
/// <c>json.loads</c> and plucks <c>"name"</c>; <c>tessera: json [threads] untyped</c> is the JsonNode
/// spelling of Dask's pipeline. Results are checked against a single-threaded LINQ pass over the files.</para>
/// </remarks>
internal sealed class BagWorkload : IWorkload
{
    private const string WordCountCase = "read_text.str.split.flatten.frequencies.topk(10)";
    private const string JsonCase = "read_text.map(json.loads).filter(age>30).pluck(name).frequencies.topk(10)";

    public string Name => "bag";

    public string Description => "Dask workload 6: bag word count (read_text.str.split.flatten.frequencies.topk) and JSON-lines filter/pluck/frequencies/topk";

    public WorkloadReport Run(BenchOptions options)
    {
        string dir = EnsureData(options.Size);
        string textGlob = Path.Combine(dir, "text", "*.txt");
        string jsonGlob = Path.Combine(dir, "json", "*.jsonl");
        string[] textFiles = Directory.GetFiles(Path.Combine(dir, "text"), "*.txt");
        string[] jsonFiles = Directory.GetFiles(Path.Combine(dir, "json"), "*.jsonl");
        long textBytes = textFiles.Sum(f => new FileInfo(f).Length);
        long jsonBytes = jsonFiles.Sum(f => new FileInfo(f).Length);
        int reps = options.Repeats;

        Log.Write("computing the expected results with a single-threaded LINQ pass...");
        (KeyValuePair<string, long>[] expectedWords, long words) = OracleWordCount(textFiles);
        (KeyValuePair<string, long>[] expectedNames, long records) = OracleJson(jsonFiles);

        var report = new WorkloadReport();
        report.Params["files"] = textFiles.Length;
        report.Params["text_MB"] = Math.Round(textBytes / 1e6, 1);
        report.Params["words"] = words;
        report.Params["json_MB"] = Math.Round(jsonBytes / 1e6, 1);
        report.Params["json_records"] = records;
        report.Params["data_dir"] = dir;
        report.Extra["top10_words"] = ToJson(expectedWords);
        report.Extra["top10_names"] = ToJson(expectedNames);

        Bag<KeyValuePair<string, long>> wordCount = Bag.ReadText(textGlob).Str.Split().Flatten().Frequencies().TopK(10, kv => kv.Value);
        Bag<KeyValuePair<string, long>> json = Bag.ReadJsonLines<Person>(jsonGlob).Where(p => p.Age > 30).Select(p => p.Name).Frequencies().TopK(10, kv => kv.Value);
        Bag<KeyValuePair<string, long>> wordCountUnfused = Bag.ReadText(textGlob)
            .SelectMany(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Frequencies().TopK(10, kv => kv.Value);
        Bag<KeyValuePair<string, long>> jsonUntyped = Bag.ReadText(jsonGlob).Select(line => JsonNode.Parse(line)!.AsObject())
            .Where(r => (int)r["age"]! > 30).Pluck<string>("name").Frequencies().TopK(10, kv => kv.Value);

        void CheckWords(IReadOnlyList<KeyValuePair<string, long>> r) => CheckTop(expectedWords, r, "word count");
        void CheckNames(IReadOnlyList<KeyValuePair<string, long>> r) => CheckTop(expectedNames, r, "json names");

        JsonObject WordParams(string scheduler) => new()
        {
            ["scheduler"] = scheduler,
            ["files"] = textFiles.Length,
            ["MB"] = Math.Round(textBytes / 1e6, 1),
            ["words"] = words,
        };
        JsonObject JsonParams(string scheduler) => new()
        {
            ["scheduler"] = scheduler,
            ["files"] = jsonFiles.Length,
            ["MB"] = Math.Round(jsonBytes / 1e6, 1),
            ["records"] = records,
        };
        List<CaseResult> results = report.Results;
        void Add<T>(string name, Timings<T> t, JsonObject p, long tasks, params (string Unit, double Amount)[] rates)
        {
            CaseResult r = Measure.Result(name, t, p, tasks);
            foreach ((string unit, double amount) in rates)
            {
                r.PerSecond[unit] = amount;
            }

            results.Add(r);
        }

        // Tiered compilation promotes the hot methods in the background; on the shared 2-core machine
        // that can take several runs, so each pipeline runs twice more, untimed, before its cases.
        Log.Write("warming up (two untimed computes of each pipeline)...");
        for (int i = 0; i < 2; i++)
        {
            CheckWords(wordCount.Compute(Schedulers.Threaded));
            CheckNames(json.Compute(Schedulers.Threaded));
        }

        long wcTasks = TaskCount(wordCount);
        long jsTasks = TaskCount(json);
        (string, double)[] textRates = [("MB/s", textBytes / 1e6), ("words/s", words)];
        (string, double)[] jsonRates = [("MB/s", jsonBytes / 1e6), ("records/s", records)];

        // --- processes: a LocalCluster of two worker processes, started once.
        string pool = "pool_overhead: tiny bag compute, scheduler=processes";
        string startCase = "tessera: LocalCluster start + tiny bag compute + close (processes)";
        bool anyProcesses = options.Wants(pool) || options.Wants(startCase) || options.Wants($"wordcount [processes]: {WordCountCase}") || options.Wants($"json [processes]: {JsonCase}");
        if (anyProcesses)
        {
            Bag<int> tiny = Bag.FromSequence([0, 1, 2, 3], partitionCount: 2).Select(x => x + 1);
            if (options.Wants(startCase))
            {
                Timings<long> t = Measure.Runs("cluster start+compute+close", reps, _ => StartComputeClose(tiny), v => Check.Equal(10L, v, "tiny bag sum"));
                Add(startCase, t, new JsonObject { ["scheduler"] = "processes", ["workers"] = 2 }, 0);
            }

            var sw = Stopwatch.StartNew();
            using (var cluster = new ClusterScope())
            {
                Log.Write($"LocalCluster with 2 worker processes started in {sw.Elapsed.TotalSeconds:F3} s");
                IScheduler client = cluster.Client;
                for (int i = 0; i < 2; i++)
                {
                    CheckWords(wordCount.Compute(client));
                    CheckNames(json.Compute(client));
                }

                if (options.Wants(pool))
                {
                    Add(pool, Measure.Runs("pool overhead", reps, _ => (long)tiny.Sum().Compute(client), v => Check.Equal(10L, v, "tiny bag sum")), new JsonObject { ["scheduler"] = "processes" }, 0);
                }

                if (options.Wants($"wordcount [processes]: {WordCountCase}"))
                {
                    Add($"wordcount [processes]: {WordCountCase}", Measure.Runs("wordcount processes", reps, _ => wordCount.Compute(client), CheckWords), WordParams("processes"), wcTasks, textRates);
                }

                if (options.Wants($"json [processes]: {JsonCase}"))
                {
                    Add($"json [processes]: {JsonCase}", Measure.Runs("json processes", reps, _ => json.Compute(client), CheckNames), JsonParams("processes"), jsTasks, jsonRates);
                }
            }
        }

        // --- threads: the threaded scheduler.
        IScheduler threads = Schedulers.Threaded;
        if (options.Wants($"wordcount [threads]: {WordCountCase}"))
        {
            Add($"wordcount [threads]: {WordCountCase}", Measure.Runs("wordcount threads", reps, _ => wordCount.Compute(threads), CheckWords), WordParams("threads"), wcTasks, textRates);
        }

        if (options.Wants($"json [threads]: {JsonCase}"))
        {
            Add($"json [threads]: {JsonCase}", Measure.Runs("json threads", reps, _ => json.Compute(threads), CheckNames), JsonParams("threads"), jsTasks, jsonRates);
        }

        string unfused = "tessera: wordcount [threads], user split: read_text.SelectMany(line.Split).frequencies.topk(10)";
        if (options.Wants(unfused))
        {
            Add(unfused, Measure.Runs("wordcount unfused", reps, _ => wordCountUnfused.Compute(threads), CheckWords), WordParams("threads"), TaskCount(wordCountUnfused), textRates);
        }

        string untyped = "tessera: json [threads] untyped: read_text.Select(JsonNode.Parse).Where(age>30).Pluck(name).frequencies.topk(10)";
        if (options.Wants(untyped))
        {
            Add(untyped, Measure.Runs("json untyped", reps, _ => jsonUntyped.Compute(threads), CheckNames), JsonParams("threads"), TaskCount(jsonUntyped), jsonRates);
        }

        return report;
    }

    private static long StartComputeClose(Bag<int> tiny)
    {
        using var cluster = new ClusterScope();
        return tiny.Sum().Compute(cluster.Client);
    }

    private static long TaskCount<T>(Bag<T> bag) => Tessera.Collections.CollectionExtensions.Prepare(bag).Graph.Count;

    private static void CheckTop(KeyValuePair<string, long>[] expected, IReadOnlyList<KeyValuePair<string, long>> actual, string what)
    {
        if (!expected.SequenceEqual(actual))
        {
            throw new InvalidOperationException($"{what}: expected {ToJson(expected).ToJsonString()}, got {ToJson([.. actual]).ToJsonString()}.");
        }
    }

    private static JsonArray ToJson(KeyValuePair<string, long>[] pairs) => [.. pairs.Select(kv => (JsonNode)new JsonArray(kv.Key, kv.Value))];

    /// <summary>Word count by a plain single-threaded loop over the files, in Dask's order (first occurrence; ties keep it).</summary>
    private static (KeyValuePair<string, long>[] Top, long Words) OracleWordCount(string[] files)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long words = 0;
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            foreach (string line in File.ReadLines(file))
            {
                foreach (string w in line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                {
                    counts[w] = counts.GetValueOrDefault(w) + 1;
                    words++;
                }
            }
        }

        return ([.. counts.OrderByDescending(kv => kv.Value).Take(10)], words);
    }

    private static (KeyValuePair<string, long>[] Top, long Records) OracleJson(string[] files)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long records = 0;
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            foreach (string line in File.ReadLines(file))
            {
                JsonNode r = JsonNode.Parse(line)!;
                records++;
                if ((int)r["age"]! > 30)
                {
                    string name = (string)r["name"]!;
                    counts[name] = counts.GetValueOrDefault(name) + 1;
                }
            }
        }

        return ([.. counts.OrderByDescending(kv => kv.Value).Take(10)], records);
    }

    /// <summary>Finds the data the Dask script generates, running its generator when the data is missing.</summary>
    private static string EnsureData(string size)
    {
        string root = Environment.GetEnvironmentVariable("ANCHORS_DATA") ?? "/tmp/anchors-data";
        string dir = Path.Combine(root, "bag-" + size);
        if (File.Exists(Path.Combine(dir, "MANIFEST.json")))
        {
            return dir;
        }

        string? script = FindDaskScript();
        if (script is null)
        {
            throw new InvalidOperationException($"bag: no data in {dir}, and shared/bench/dask/bag.py was not found to generate it; run that script once with --size {size}.");
        }

        Log.Write($"bag: generating the data with {script} (the Dask script's generator)...");
        string code = string.Create(CultureInfo.InvariantCulture, $"import sys; sys.path.insert(0, {Quote(Path.GetDirectoryName(script)!)}); sys.argv=['bag.py']; import bag, _common; " +
            $"d = _common.ensure_data_dir('bag-{size}'); bag.generate(d, *((20, 200, 2000000) if '{size}' == 'full' else (4, 10, 100000)))");
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", code]) { RedirectStandardOutput = true })!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 || !File.Exists(Path.Combine(dir, "MANIFEST.json")))
        {
            throw new InvalidOperationException($"bag: generating the data in {dir} failed (exit {p.ExitCode}); run shared/bench/dask/bag.py --size {size} once.");
        }

        return dir;
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string? FindDaskScript()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "bench", "dask", "bag.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>A JSON-lines record of the benchmark data (init properties: System.Text.Json fills them without a constructor call per argument).</summary>
    private sealed record Person
    {
        public string Name { get; init; } = string.Empty;

        public int Age { get; init; }

        public string City { get; init; } = string.Empty;
    }

    /// <summary>Starts a LocalCluster of two worker processes and a client; disposes both.</summary>
    private sealed class ClusterScope : IDisposable
    {
        private readonly LocalCluster _cluster;

        public ClusterScope()
        {
            _cluster = LocalCluster.StartAsync(workers: 2, threadsPerWorker: 1, processes: true).GetAwaiter().GetResult();
            Client = Client.ConnectAsync(_cluster).GetAwaiter().GetResult();
        }

        public Client Client { get; }

        public void Dispose()
        {
            Client.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
