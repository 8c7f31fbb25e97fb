using System.Diagnostics;

namespace Tessera.Arrays.Tests;

/// <summary>Runs Debian's python3 (with python3-zarr, which .ci/run installs) on a snippet.</summary>
internal static class Python
{
    /// <summary>Runs the code; the exit code, or -1 when python3 cannot be started. Standard error goes to the test's output on failure.</summary>
    public static int Run(string code)
    {
        try
        {
            using Process p = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", code]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            Task<string> error = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(entireProcessTree: true);
                return -2;
            }

            if (p.ExitCode != 0)
            {
                TestContext.Current.TestOutputHelper?.WriteLine(error.Result);
            }

            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    public static bool HasZarr => Run("import zarr") == 0;
}
