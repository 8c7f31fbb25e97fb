using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tessera.Arrays;

/// <summary>
/// Asks Linux to back large block buffers with transparent huge pages (2 MiB), as NumPy does for
/// its arrays of 4 MiB or more.
/// </summary>
/// <remarks>
/// <para>With the kernel's usual <c>transparent_hugepage=madvise</c> setting, anonymous memory gets
/// huge pages only where a process asked for them with <c>madvise(MADV_HUGEPAGE)</c>. NumPy asks for
/// every large array; the .NET GC never asks. A streaming pass over an 80 MB buffer of 4 KiB pages
/// misses the TLB every 4 KiB and the hardware prefetchers restart at every page, so the same
/// one-thread sum read 14 GB/s from 4 KiB pages against 22 GB/s from huge pages on the benchmark
/// machine (NumPy on both, the only difference <c>_set_madvise_hugepage</c>).</para>
/// <para>The advice is given right after the GC hands out a fresh buffer, before anything writes
/// to it: pages faulted in afterwards are huge where the 2 MiB-aligned interior of the buffer allows.
/// Pages that are already resident (memory the GC reuses) stay as they are, but a buffer's range
/// keeps the advice, so memory that is reused after being advised once keeps its huge pages.
/// <c>array.huge-pages</c> = false turns it off. Elsewhere than Linux it does nothing.</para>
/// </remarks>
internal static unsafe class HugePages
{
    /// <summary>Buffers of at least this many bytes are advised (NumPy's threshold).</summary>
    public const long MinBytes = 4L << 20;

    private const int MadvHugePage = 14;
    private const nuint HugePageBytes = 2 << 20;

    private static readonly delegate* unmanaged<void*, nuint, int, int> s_madvise = LoadMadvise();

    /// <summary>Gets whether the advice can be given on this system.</summary>
    public static bool IsSupported => s_madvise != null;

    /// <summary>Advises huge pages for the 2 MiB-aligned interior of a large buffer; returns the buffer.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="buffer">A buffer that nothing has written yet.</param>
    /// <returns><paramref name="buffer"/>.</returns>
    public static T[] Advise<T>(T[] buffer)
        where T : unmanaged
    {
        long bytes = (long)buffer.Length * Unsafe.SizeOf<T>();
        if (bytes < MinBytes || s_madvise == null || !TesseraConfig.Get("array.huge-pages", true))
        {
            return buffer;
        }

        fixed (T* p = buffer)
        {
            nuint start = ((nuint)p + HugePageBytes - 1) & ~(HugePageBytes - 1);
            nuint end = ((nuint)p + (nuint)bytes) & ~(HugePageBytes - 1);
            if (end > start)
            {
                // Advice only: a kernel without transparent huge pages refuses it, and nothing changes.
                _ = s_madvise((void*)start, end - start, MadvHugePage);
            }
        }

        return buffer;
    }

    private static delegate* unmanaged<void*, nuint, int, int> LoadMadvise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (string name in new[] { "libc.so.6", "libc" })
        {
            if (NativeLibrary.TryLoad(name, out nint lib) && NativeLibrary.TryGetExport(lib, "madvise", out nint f))
            {
                return (delegate* unmanaged<void*, nuint, int, int>)f;
            }
        }

        return null;
    }
}
