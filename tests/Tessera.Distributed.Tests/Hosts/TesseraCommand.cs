using System.Diagnostics;

namespace Tessera.Distributed.Tests.Hosts;

/// <summary>Runs the tessera command (Tessera.Cli.dll, next to the tests) as a process and reads what it prints.</summary>
internal static class TesseraCommand
{
    /// <summary>Gets the path of the tessera program.</summary>
    public static string Program => Path.Combine(AppContext.BaseDirectory, "Tessera.Cli.dll");

    /// <summary>Starts <c>dotnet Tessera.Cli.dll args</c> with its input and output redirected.</summary>
    public static Process Start(params string[] args) => Start("dotnet", [Program, .. args]);

    /// <summary>Starts <paramref name="fileName"/> with its input and output redirected.</summary>
    public static Process Start(string fileName, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start)!;
    }

    /// <summary>Reads a process's standard output until a line starts with <paramref name="prefix"/>, and returns that line.</summary>
    public static async Task<string> ReadLineStartingWithAsync(Process p, string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            string? line = await p.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                Assert.Fail($"The process exited before printing '{prefix}…': {await p.StandardError.ReadToEndAsync(timeout.Token)}");
            }

            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }
}
