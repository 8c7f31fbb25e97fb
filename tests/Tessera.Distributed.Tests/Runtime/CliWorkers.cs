using System.Diagnostics;

namespace Tessera.Distributed.Tests.Runtime;

/// <summary>
/// Starts <c>tessera worker</c> processes from the Tessera.Cli build output (artifacts/bin/Tessera.Cli/&lt;configuration&gt;/),
/// a folder that holds neither the tests nor their user code.
/// </summary>
internal static class CliWorkers
{
    /// <summary>The tessera program in its own build folder, beside this test assembly's: artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/.</summary>
    public static string ProgramPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.Combine(here.Parent!.Parent!.FullName, "Tessera.Cli", here.Name, "Tessera.Cli.dll");
        Assert.True(File.Exists(path), $"the tessera program was not built at {path}; build the test project");
        return path;
    }

    /// <summary>Starts <c>tessera worker ADDRESS args…</c>; its output is drained so that it never blocks.</summary>
    public static Process Start(string schedulerAddress, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ProgramPath());
        start.ArgumentList.Add("worker");
        start.ArgumentList.Add(schedulerAddress);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process process = Process.Start(start)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits (at most 60 s) until the scheduler has <paramref name="count"/> workers; fails if a worker process exits first.</summary>
    public static async Task WaitForWorkersAsync(SchedulerHost scheduler, int count, params Process[] processes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (scheduler.WorkerCount < count)
        {
            Assert.DoesNotContain(processes, p => p.HasExited);
            Assert.True(DateTime.UtcNow < deadline, $"only {scheduler.WorkerCount} of {count} workers joined within 60 s");
            await Task.Delay(20);
        }
    }

    public static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
    }

    public static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        return !string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet")) ? Path.Combine(root, "dotnet") : "dotnet";
    }
}
