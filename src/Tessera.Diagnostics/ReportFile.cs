namespace Tessera.Diagnostics;

/// <summary>Writes a report file so that it is replaced only once completely written.</summary>
internal static class ReportFile
{
    public static void WriteAtomically(string path, string text)
    {
        string fullPath = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
