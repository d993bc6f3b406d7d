import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  ConflictError,
  ConsumerApiError,
  errorFromProblem,
  ForbiddenError,
  InternalServerError,
  NotFoundError,
  ProblemDetails,
  problemFromError,
  UnauthorizedError,
} from "../src/index.js";

const classes = [
  { ErrorClass: BadRequestError, status: 400, title: "Bad Request" },
  { ErrorClass: UnauthorizedError, status: 401, title: "Unauthorized" },
  { ErrorClass: ForbiddenError, status: 403, title: "Forbidden" },
  { ErrorClass: NotFoundError, status: 404, title: "Not Found" },
  { ErrorClass: ConflictError, status: 409, title: "Conflict" },
  { ErrorClass: InternalServerError, status: 500, title: "Internal Server Error" },
] as const;

describe("errors ⇄ problem+json", () => {
  it.each(classes)(
    "$status $title round-trips through a JSON problem body",
    ({ ErrorClass, status, title }) => {
      const error = new ErrorClass('detail with "quotes" and ü');
      expect(error).toBeInstanceOf(ConsumerApiError);
      expect(error).toBeInstanceOf(Error);
      expect(error.status).toBe(status);
      expect(error.title).toBe(title);
      expect(error.name).toBe(ErrorClass.name);

      const problem = problemFromError(error);
      expect(problem).toEqual({ type: "about:blank", title, status, detail: 'detail with "quotes" and ü' });
      expect(ProblemDetails.parse(problem)).toEqual(problem);

      const back = errorFromProblem(JSON.parse(JSON.stringify(problem)));
      expect(back).toBeInstanceOf(ErrorClass);
      expect(back.status).toBe(status);
      expect(back.title).toBe(title);
      expect(back.detail).toBe(error.detail);
      expect(back.message).toBe(error.detail);
    },
  );

  it("UnauthorizedError and InternalServerError have a default detail", () => {
    expect(new UnauthorizedError().detail).toMatch(/bearer token/);
    expect(new InternalServerError().detail.length).toBeGreaterThan(0);
  });

  it("anything that is not a ConsumerApiError becomes a 500 that does not leak its message", () => {
    const problem = problemFromError(new TypeError("secret stack detail"));
    expect(problem.status).toBe(500);
    expect(problem.detail).not.toContain("secret");
    expect(problemFromError("a string").status).toBe(500);
    expect(problemFromError(undefined).status).toBe(500);
  });

  it("keeps a transport status outside SPEC §3 on a plain ConsumerApiError", () => {
    const error = errorFromProblem({
      type: "about:blank",
      title: "Method Not Allowed",
      status: 405,
      detail: "Allowed: GET",
    });
    expect(error.constructor).toBe(ConsumerApiError);
    expect(error).toMatchObject({ status: 405, title: "Method Not Allowed", detail: "Allowed: GET" });
  });

  it("takes the HTTP status over the body's (RFC 9457: the body's status is advisory), keeping the detail", () => {
    const error = errorFromProblem(
      { type: "about:blank", title: "Not Found", status: 404, detail: "No waiting task." },
      409,
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, title: "Conflict", detail: "No waiting task." });
  });

  it("maps a body that is no problem to the fallback status", () => {
    const error = errorFromProblem("<html>Bad gateway</html>", 502);
    expect(error).toMatchObject({ status: 502 });
    expect(error.detail).toContain("502");
    expect(errorFromProblem({ status: "404" }, 404)).toBeInstanceOf(NotFoundError);
    expect(errorFromProblem(null)).toBeInstanceOf(InternalServerError);
  });
});
