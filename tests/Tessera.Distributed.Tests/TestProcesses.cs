using System.Diagnostics;
using System.Globalization;

namespace Tessera.Distributed.Tests;

/// <summary>Signals and checks on the worker processes that fault tests hang, kill or wait out.</summary>
internal static class TestProcesses
{
    /// <summary>Sends <paramref name="signal"/> (such as <c>-STOP</c>) with <c>kill</c>; returns its exit code.</summary>
    public static int Signal(string signal, int pid)
    {
        using Process kill = Process.Start("kill", [signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        return kill.ExitCode;
    }

    /// <summary>Whether a process with this id still runs.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using Process p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Kills the process when a test left it running.</summary>
    public static void KillIfRunning(int pid)
    {
        if (IsRunning(pid))
        {
            using Process left = Process.GetProcessById(pid);
            left.Kill();
        }
    }
}
