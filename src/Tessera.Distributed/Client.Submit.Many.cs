using Tessera.Graphs;

namespace Tessera.Distributed;

// Submit for functions of 4 to 6 arguments, each argument a value or a future (every combination, as
// for 0 to 3 arguments in Client.Submit.cs, so argument types are checked at compile time). The
// overloads with values only carry the full documentation; the others inherit it.
public sealed partial class Client
{
    /// <summary>Runs <paramref name="function"/> on a worker; the 4 arguments are values (other overloads take a <see cref="Future{T}"/> for any of them, whose result is passed: the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or (in the overloads that take futures) a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg4"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, T2 arg2, T3 arg3, Future<T4> arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, T4 arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, T4 arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, T4 arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, Future<T4> arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, T4 arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, T4 arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,TResult}(Func{T1,T2,T3,T4,TResult},T1,T2,T3,T4,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, TResult>(Func<T1, T2, T3, T4, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the 5 arguments are values (other overloads take a <see cref="Future{T}"/> for any of them, whose result is passed: the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or (in the overloads that take futures) a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg5"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg4"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, T3 arg3, Future<T4> arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, T4 arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, T4 arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, T4 arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, T4 arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, Future<T4> arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, T4 arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, T4 arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, T4 arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,TResult}(Func{T1,T2,T3,T4,T5,TResult},T1,T2,T3,T4,T5,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, TResult>(Func<T1, T2, T3, T4, T5, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; the 6 arguments are values (other overloads take a <see cref="Future{T}"/> for any of them, whose result is passed: the task depends on it).</summary>
    /// <typeparam name="T1">The first argument type.</typeparam>
    /// <typeparam name="T2">The second argument type.</typeparam>
    /// <typeparam name="T3">The third argument type.</typeparam>
    /// <typeparam name="T4">The fourth argument type.</typeparam>
    /// <typeparam name="T5">The fifth argument type.</typeparam>
    /// <typeparam name="T6">The sixth argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="function">The function.</param>
    /// <param name="arg1">The first argument.</param>
    /// <param name="arg2">The second argument.</param>
    /// <param name="arg3">The third argument.</param>
    /// <param name="arg4">The fourth argument.</param>
    /// <param name="arg5">The fifth argument.</param>
    /// <param name="arg6">The sixth argument.</param>
    /// <param name="key">The key; by default the function's name and a deterministic token of the function and arguments, so equal calls share one task (Dask's <c>pure=True</c>).</param>
    /// <param name="retries">How many times the task runs again after it throws before it counts as failed (Dask's <c>retries</c>).</param>
    /// <param name="workers">The addresses or names of the workers the task may run on (Dask's <c>workers=</c>); by default any.</param>
    /// <param name="allowOtherWorkers">Whether <paramref name="workers"/> is only a preference: when none of them is connected, any worker runs it.</param>
    /// <param name="resources">The abstract resources the task needs while it runs (e.g. <c>GPU</c> = 1); it runs only on workers started with them (<see cref="WorkerOptions.Resources"/>), and a worker runs at once only as many such tasks as its resources allow.</param>
    /// <returns>A future for the result.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retries"/> is negative, or a resource amount is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="allowOtherWorkers"/> is set without <paramref name="workers"/>, or (in the overloads that take futures) a future argument belongs to another client, was disposed or was cancelled.</exception>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg6"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg5"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, T4 arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg4"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, Future<T4> arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg4"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, Future<T4> arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg4"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, T4 arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, T4 arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, T4 arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, T4 arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, T4 arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg4"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg4"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, T1 arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/> is a future, whose result the worker passes in (the task depends on it).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, T4 arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, T4 arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, Future<T4> arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg4"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, Future<T4> arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg4"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, T4 arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, T4 arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, T2 arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, T4 arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, T4 arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, T4 arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg4"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg4"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, T3 arg3, Future<T4> arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, T4 arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, T5 arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, T6 arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));

    /// <summary>Runs <paramref name="function"/> on a worker; <paramref name="arg1"/>, <paramref name="arg2"/>, <paramref name="arg3"/>, <paramref name="arg4"/>, <paramref name="arg5"/>, <paramref name="arg6"/> are futures, whose results the worker passes in (the task depends on them).</summary>
    /// <inheritdoc cref="Submit{T1,T2,T3,T4,T5,T6,TResult}(Func{T1,T2,T3,T4,T5,T6,TResult},T1,T2,T3,T4,T5,T6,string?,int,IEnumerable{string}?,bool,IReadOnlyDictionary{string,double}?)"/>
    public Future<TResult> Submit<T1, T2, T3, T4, T5, T6, TResult>(Func<T1, T2, T3, T4, T5, T6, TResult> function, Future<T1> arg1, Future<T2> arg2, Future<T3> arg3, Future<T4> arg4, Future<T5> arg5, Future<T6> arg6, string? key = null, int retries = 0, IEnumerable<string>? workers = null, bool allowOtherWorkers = false, IReadOnlyDictionary<string, double>? resources = null) =>
        SubmitCall<TResult>(TaskFunction.Create(function), key, retries, [Arg(arg1), Arg(arg2), Arg(arg3), Arg(arg4), Arg(arg5), Arg(arg6)], Restrict(workers, allowOtherWorkers, resources));
}
