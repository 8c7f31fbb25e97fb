using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Tessera.Benchmarks.Harness;

/// <summary>
/// Runs one case of a workload in a fresh process of this program, with its own GC settings, and
/// returns that case's record. Memory cases use it so that their peak RSS is their own (as
/// memory_order.py's forked children do) and so that a GC setting they need does not change the
/// timings of the other cases.
/// </summary>
internal static class ChildProcess
{
    private const string ChildVariable = "TESSERA_BENCH_CHILD";

    /// <summary>Gets a value indicating whether this process is such a child (it then runs the case itself).</summary>
    public static bool IsChild => Environment.GetEnvironmentVariable(ChildVariable) == "1";

    /// <summary>Runs <paramref name="caseName"/> of <paramref name="workload"/> in a child process.</summary>
    /// <param name="workload">The workload's name.</param>
    /// <param name="caseName">The exact case name (passed as --only).</param>
    /// <param name="options">The size and repeats to pass on.</param>
    /// <param name="environment">Extra environment variables of the child, such as DOTNET_GCConserveMemory.</param>
    /// <returns>The child's record of the case, with child_process and child_env added.</returns>
    /// <exception cref="InvalidOperationException">The child failed or did not report the case.</exception>
    public static CaseResult RunCase(string workload, string caseName, BenchOptions options, IReadOnlyDictionary<string, string> environment) =>
        RunCases(workload, caseName, options, environment).FirstOrDefault(r => r.Name == caseName)
            ?? throw new InvalidOperationException($"The child process did not report '{caseName}'.");

    /// <summary>Runs the cases of <paramref name="workload"/> whose names contain <paramref name="only"/> in one child process.</summary>
    /// <param name="workload">The workload's name.</param>
    /// <param name="only">The case filter (passed as --only).</param>
    /// <param name="options">The size and repeats to pass on.</param>
    /// <param name="environment">Extra environment variables of the child.</param>
    /// <returns>The child's case records, with child_process and child_env added.</returns>
    /// <exception cref="InvalidOperationException">The child failed.</exception>
    public static IReadOnlyList<CaseResult> RunCases(string workload, string only, BenchOptions options, IReadOnlyDictionary<string, string> environment)
    {
        string dll = Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("The entry assembly has no location.");
        string host = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!Path.GetFileNameWithoutExtension(host).Equals(Path.GetFileNameWithoutExtension(dll), StringComparison.Ordinal))
        {
            psi.ArgumentList.Add(dll); // started as `dotnet Tessera.Benchmarks.dll`
        }

        foreach (string a in new[] { workload, "--size", options.Size, "--repeats", options.Repeats.ToString(System.Globalization.CultureInfo.InvariantCulture), "--only", only })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[ChildVariable] = "1";
        foreach (KeyValuePair<string, string> kv in environment)
        {
            psi.Environment[kv.Key] = kv.Value;
        }

        string env = string.Join(' ', environment.Select(kv => $"{kv.Key}={kv.Value}"));
        Log.Write($"  running '{only}' in a child process ({env})");
        using Process child = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the child process.");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        string? line = output.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (child.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"The child process for '{only}' failed (exit status {child.ExitCode}).");
        }

        var results = new List<CaseResult>();
        foreach (JsonObject record in JsonNode.Parse(line)?["results"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            record["child_process"] = true;
            record["child_env"] = env;
            results.Add(CaseResult.FromJson(record));
        }

        return results;
    }
}
